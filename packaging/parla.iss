; Inno Setup script: a per-user Windows installer for the one-folder bundle.
;
;   make bundle                      (on Windows: builds dist\Parla\Parla.exe)
;   iscc /DAppVersion=0.1.0 packaging\parla.iss
;
; The installer lands in dist\installer\Parla-<version>-setup.exe. It installs for the current user
; (no administrator rights), adds a Start menu entry and, if chosen, a desktop shortcut, and
; registers an uninstaller. Conversations, settings and logs live in %LOCALAPPDATA%\Parla and are
; kept on uninstall; the token stays in the Windows Credential Manager (service "parla").

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Parla"
#define AppExe "Parla.exe"

[Setup]
; A fixed GUID: it is how Windows recognises upgrades of the same application. Never change it.
AppId={{6F0D3A52-3C1B-4E7A-9B57-2D4A8E1C9F30}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Parla developers
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\dist\installer
OutputBaseFilename=Parla-{#AppVersion}-setup
SetupIconFile=..\icons\parla.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Parla runs once per user: the installer asks it to close before replacing its files.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\dist\Parla\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
