<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>AboutDialog</name>
        <message>
            <location filename="../../app/ui/about.py" line="18" />
            <source>About Parla</source>
            <translation>关于 Parla</translation>
        </message>
        <message>
            <location filename="../../app/ui/about.py" line="19" />
            <source>Parla {version}</source>
            <translation>Parla {version}</translation>
        </message>
        <message>
            <location filename="../../app/ui/about.py" line="25" />
            <source>A native desktop client for OpenAI-compatible APIs: chat, images and voice.</source>
            <translation>一款原生桌面客户端，适用于兼容 OpenAI 的 API：聊天、图像和语音。</translation>
        </message>
        <message>
            <location filename="../../app/ui/about.py" line="27" />
            <source>Released under the MIT License.</source>
            <translation>以 MIT 许可证发布。</translation>
        </message>
        <message>
            <location filename="../../app/ui/about.py" line="29" />
            <source>Built with Qt {qt} and PySide6 {pyside}.</source>
            <translation>基于 Qt {qt} 和 PySide6 {pyside} 构建。</translation>
        </message>
    </context>
    <context>
        <name>Banner</name>
        <message>
            <location filename="../../app/ui/widgets/banner.py" line="35" />
            <source>Dismiss</source>
            <translation>关闭</translation>
        </message>
    </context>
    <context>
        <name>ChatPage</name>
        <message>
            <location filename="../../app/ui/chat/page.py" line="17" />
            <source>Chat — streaming conversations with any model will appear here.</source>
            <translation>聊天 — 与任意模型的流式对话将显示在这里。</translation>
        </message>
    </context>
    <context>
        <name>ConnectionIndicator</name>
        <message>
            <location filename="../../app/ui/status_bar.py" line="82" />
            <source>from environment</source>
            <translation>来自环境变量</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="84" />
            <source>OPENAI_BASE_URL or OPENAI_API_KEY is set: it overrides the active profile for this run and is never saved.</source>
            <translation>已设置 OPENAI_BASE_URL 或 OPENAI_API_KEY：本次运行中它会覆盖当前配置，且永远不会被保存。</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="122" />
            <source>No token — open Settings</source>
            <translation>没有令牌 — 请打开设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="123" />
            <location filename="../../app/ui/status_bar.py" line="136" />
            <source>Settings…</source>
            <translation>设置…</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="126" />
            <source>Checking connection…</source>
            <translation>正在检查连接…</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="129" />
            <source>Connected · 1 model</source>
            <translation>已连接 · 1 个模型</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="131" />
            <source>Connected · {count} models</source>
            <translation>已连接 · {count} 个模型</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="136" />
            <source>Retry</source>
            <translation>重试</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="139" />
            <source>The token is kept for this session only.</source>
            <translation>令牌仅在本次会话中保留。</translation>
        </message>
    </context>
    <context>
        <name>GeneralPage</name>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="20" />
            <source>System default</source>
            <translation>跟随系统</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="25" />
            <source>A new language takes effect the next time Parla starts.</source>
            <translation>新的语言将在下次启动 Parla 时生效。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="30" />
            <source>Follow the system</source>
            <translation>跟随系统</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="31" />
            <source>Light</source>
            <translation>浅色</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="32" />
            <source>Dark</source>
            <translation>深色</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="34" />
            <source>The theme changes as soon as you press OK or Apply.</source>
            <translation>按下“确定”或“应用”后，主题会立即更改。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="40" />
            <source>Language:</source>
            <translation>语言：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/general_page.py" line="42" />
            <source>Theme:</source>
            <translation>主题：</translation>
        </message>
    </context>
    <context>
        <name>ImagesPage</name>
        <message>
            <location filename="../../app/ui/images/page.py" line="17" />
            <source>Images — generating, editing and keeping pictures will appear here.</source>
            <translation>图像 — 图片的生成、编辑和保存将显示在这里。</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../app/ui/main_window.py" line="61" />
            <source>Chat</source>
            <extracomment>The tab pages in order (Ctrl+1, Ctrl+2, Ctrl+3); a later issue swaps its placeholder for the real page. Quit was chosen (menu or Ctrl+Q); main.py ends the event loop.</extracomment>
            <translation>聊天</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="61" />
            <source>Images</source>
            <translation>图像</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="61" />
            <source>Voice</source>
            <translation>语音</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="92" />
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="93" />
            <source>&amp;Settings…</source>
            <translation>设置(&amp;S)…</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="99" />
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="105" />
            <source>&amp;View</source>
            <translation>视图(&amp;V)</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="116" />
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <location filename="../../app/ui/main_window.py" line="117" />
            <source>&amp;About Parla</source>
            <translation>关于 Parla(&amp;A)</translation>
        </message>
    </context>
    <context>
        <name>Notifier</name>
        <message>
            <location filename="../../app/ui/notify.py" line="96" />
            <source>Parla — unexpected error</source>
            <extracomment>text, how long to show it (ms; 0 = until replaced) text, level (a :class:`Level` value) summary, details (traceback, already redacted) — internal: queued to the GUI thread</extracomment>
            <translation>Parla — 意外错误</translation>
        </message>
        <message>
            <location filename="../../app/ui/notify.py" line="98" />
            <source>Parla ran into an unexpected problem. It may keep working, but restart it if anything looks wrong.</source>
            <translation>Parla 遇到了意外问题。它可能仍能继续工作，但如果有任何异常，请重新启动。</translation>
        </message>
        <message>
            <location filename="../../app/ui/notify.py" line="113" />
            <source>The details were written to {path}.</source>
            <translation>详细信息已写入 {path}。</translation>
        </message>
        <message>
            <location filename="../../app/ui/notify.py" line="115" />
            <source>Problems that happened since: {count} — see the log.</source>
            <translation>此后又发生了 {count} 个问题 — 请查看日志。</translation>
        </message>
    </context>
    <context>
        <name>PathEdit</name>
        <message>
            <location filename="../../app/ui/widgets/path_edit.py" line="23" />
            <source>Browse…</source>
            <translation>浏览…</translation>
        </message>
    </context>
    <context>
        <name>ProfileSwitcher</name>
        <message>
            <location filename="../../app/ui/status_bar.py" line="56" />
            <source>Manage profiles…</source>
            <translation>管理配置…</translation>
        </message>
        <message>
            <location filename="../../app/ui/status_bar.py" line="61" />
            <source>Active profile: {name} ({url}) — click to switch</source>
            <translation>当前配置：{name}（{url}）— 点击切换</translation>
        </message>
    </context>
    <context>
        <name>ProfilesPage</name>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="105" />
            <source>Profiles</source>
            <extracomment>The keychain check and the token reads finished (tests and the dialog wait for it). A "Test connection" finished; the argument is the sentence shown. "Load models" finished; the argument is the sentence shown.</extracomment>
            <translation>配置</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="107" />
            <source>Add</source>
            <translation>添加</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="109" />
            <source>Duplicate</source>
            <translation>复制</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="111" />
            <source>Remove</source>
            <translation>删除</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="113" />
            <source>Make active</source>
            <translation>设为当前</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="134" />
            <source>Server</source>
            <translation>服务器</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="139" />
            <source>Name:</source>
            <translation>名称：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="143" />
            <source>Base URL:</source>
            <translation>基础 URL：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="146" />
            <source>Token:</source>
            <translation>令牌：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="150" />
            <location filename="../../app/ui/settings/profiles_page.py" line="830" />
            <source>Test connection</source>
            <translation>测试连接</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="159" />
            <source>Default models</source>
            <translation>默认模型</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="164" />
            <source>Chat:</source>
            <translation>聊天：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="165" />
            <source>Images:</source>
            <translation>图像：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="166" />
            <source>Speech:</source>
            <translation>语音合成：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="167" />
            <source>Transcription:</source>
            <translation>语音转写：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="168" />
            <source>Embeddings:</source>
            <translation>嵌入：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="187" />
            <location filename="../../app/ui/settings/profiles_page.py" line="866" />
            <source>Load models</source>
            <translation>加载模型列表</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="188" />
            <source>Ask the server for its models (GET /models) to choose from</source>
            <translation>向服务器查询可用模型（GET /models）以供选择</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="196" />
            <source>Network</source>
            <translation>网络</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="201" />
            <location filename="../../app/ui/settings/profiles_page.py" line="207" />
            <source> s</source>
            <translation> 秒</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="202" />
            <source>How long to wait for the next bytes of an answer; large models can be slow to start</source>
            <translation>等待回复中下一段数据的最长时间；大型模型可能需要较长时间才开始回复</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="204" />
            <source>Request timeout:</source>
            <translation>请求超时：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="209" />
            <source>Connect timeout:</source>
            <translation>连接超时：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="211" />
            <source>System settings</source>
            <translation>系统设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="212" />
            <source>No proxy</source>
            <translation>不使用代理</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="213" />
            <source>Custom proxy</source>
            <translation>自定义代理</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="215" />
            <source>Proxy:</source>
            <translation>代理：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="219" />
            <source>Proxy URL:</source>
            <translation>代理 URL：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="220" />
            <source>Verify TLS certificates</source>
            <translation>验证 TLS 证书</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="224" />
            <source>Choose a CA bundle</source>
            <translation>选择 CA 证书包</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="224" />
            <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
            <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="226" />
            <source>System certificates</source>
            <translation>系统证书</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="228" />
            <source>CA bundle:</source>
            <translation>CA 证书包：</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="252" />
            <source>The system keychain cannot be used</source>
            <translation>无法使用系统密钥环</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="260" />
            <source>Parla keeps tokens only in the system keychain, never in a file. To store them, install and unlock a Secret Service keychain — GNOME Keyring (package gnome-keyring) or KDE Wallet — then press Check again. keyrings.alt is not recommended: it keeps tokens in plain text.</source>
            <translation>Parla 只把令牌保存在系统密钥环中，从不写入文件。要保存令牌，请安装并解锁一个 Secret Service 密钥环 — GNOME Keyring（软件包 gnome-keyring）或 KDE 钱包 — 然后点击“重新检查”。不建议使用 keyrings.alt：它以明文保存令牌。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="265" />
            <source>Keep tokens for this session only (forgotten when Parla quits)</source>
            <translation>仅在本次会话中保留令牌（退出 Parla 后即遗忘）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="267" />
            <source>Check again</source>
            <translation>重新检查</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="353" />
            <source>The token was not saved. Make the keychain available, or keep the token for this session only.</source>
            <translation>令牌未保存。请让密钥环可用，或仅在本次会话中保留令牌。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="466" />
            <source>(unnamed)</source>
            <translation>（未命名）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="468" />
            <source>{name} (active)</source>
            <translation>{name}（当前）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="515" />
            <source>New profile</source>
            <translation>新配置</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="532" />
            <source>{name} (copy)</source>
            <translation>{name}（副本）</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="689" />
            <source>OPENAI_BASE_URL is set: for this run the active profile “{name}” uses {url} instead of its base URL.</source>
            <translation>已设置 OPENAI_BASE_URL：本次运行中，当前配置“{name}”使用 {url}，而不是自己的基础 URL。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="695" />
            <source>OPENAI_API_KEY is set: for this run the active profile “{name}” uses it instead of its token.</source>
            <translation>已设置 OPENAI_API_KEY：本次运行中，当前配置“{name}”使用它代替自己的令牌。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="700" />
            <source>Values from the environment are never saved.</source>
            <translation>来自环境变量的值永远不会被保存。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="714" />
            <source>The keychain cannot store it: tick “Keep tokens for this session only” to use it.</source>
            <translation>密钥环无法保存它：勾选“仅在本次会话中保留令牌”即可使用。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="716" />
            <source>Will be stored in the system keychain when you press OK or Apply.</source>
            <translation>按下“确定”或“应用”后将保存到系统密钥环。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="712" />
            <source>Will be kept for this session only when you press OK or Apply.</source>
            <translation>按下“确定”或“应用”后将仅在本次会话中保留。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="718" />
            <source>The token will be removed when you press OK or Apply.</source>
            <translation>按下“确定”或“应用”后将删除该令牌。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="722" />
            <source>Stored in the system keychain.</source>
            <translation>已保存在系统密钥环中。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="724" />
            <source>Kept for this session only — forgotten when Parla quits.</source>
            <translation>仅在本次会话中保留 — 退出 Parla 后即遗忘。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="726" />
            <source>The keychain could not be read.</source>
            <translation>无法读取密钥环。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="728" />
            <source>Reading the keychain…</source>
            <translation>正在读取密钥环…</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="730" />
            <source>No token stored.</source>
            <translation>未保存令牌。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="732" />
            <source>OPENAI_API_KEY from the environment is used instead for this run.</source>
            <translation>本次运行改用环境变量中的 OPENAI_API_KEY。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="811" />
            <source>Cancel test</source>
            <translation>取消测试</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="812" />
            <source>Testing…</source>
            <translation>正在测试…</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="823" />
            <source>Test cancelled.</source>
            <translation>测试已取消。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="827" />
            <source>Connected — 1 model</source>
            <translation>已连接 — 1 个模型</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="827" />
            <source>Connected — {count} models</source>
            <translation>已连接 — {count} 个模型</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="845" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="846" />
            <source>Loading models…</source>
            <translation>正在加载模型…</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="855" />
            <source>This server does not list its models — type the model names.</source>
            <translation>此服务器不提供模型列表 — 请直接输入模型名称。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="859" />
            <source>Cancelled.</source>
            <translation>已取消。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="864" />
            <source>Loaded 1 model.</source>
            <translation>已加载 1 个模型。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/profiles_page.py" line="864" />
            <source>Loaded {count} models.</source>
            <translation>已加载 {count} 个模型。</translation>
        </message>
    </context>
    <context>
        <name>SecretEdit</name>
        <message>
            <location filename="../../app/ui/widgets/secret_edit.py" line="24" />
            <source>Token</source>
            <translation>令牌</translation>
        </message>
        <message>
            <location filename="../../app/ui/widgets/secret_edit.py" line="28" />
            <location filename="../../app/ui/widgets/secret_edit.py" line="60" />
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <location filename="../../app/ui/widgets/secret_edit.py" line="29" />
            <source>Show or hide the token</source>
            <translation>显示或隐藏令牌</translation>
        </message>
        <message>
            <location filename="../../app/ui/widgets/secret_edit.py" line="60" />
            <source>Hide</source>
            <translation>隐藏</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <location filename="../../app/ui/settings/dialog.py" line="48" />
            <source>Settings</source>
            <extracomment>Settings were stored (profiles, tokens and preferences).</extracomment>
            <translation>设置</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/dialog.py" line="54" />
            <source>Profiles</source>
            <translation>配置</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/dialog.py" line="55" />
            <source>General</source>
            <translation>常规</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/dialog.py" line="127" />
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/dialog.py" line="145" />
            <source>Settings saved.</source>
            <translation>设置已保存。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/dialog.py" line="147" />
            <source>The new language takes effect the next time Parla starts.</source>
            <translation>新的语言将在下次启动 Parla 时生效。</translation>
        </message>
    </context>
    <context>
        <name>VoicePage</name>
        <message>
            <location filename="../../app/ui/voice/page.py" line="17" />
            <source>Voice — speaking, listening and transcribing will appear here.</source>
            <translation>语音 — 语音合成、收听和转写将显示在这里。</translation>
        </message>
    </context>
    <context>
        <name>errors</name>
        <message>
            <location filename="../../app/ui/errors.py" line="63" />
            <source>No token — open Settings to add one.</source>
            <translation>没有令牌 — 请打开设置添加。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="65" />
            <source>Cancelled.</source>
            <translation>已取消。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="67" />
            <source>File not found: {path}</source>
            <translation>找不到文件：{path}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="69" />
            <source>Permission denied: {path}</source>
            <translation>权限不足：{path}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="71" />
            <source>The operating system reported an error: {reason}</source>
            <translation>操作系统报告了错误：{reason}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="74" />
            <source>Something unexpected went wrong ({kind}) — the details are in the log.</source>
            <translation>发生了意外错误（{kind}）— 详细信息见日志。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="102" />
            <source>the server</source>
            <translation>服务器</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="115" />
            <source>the connection closed before the end</source>
            <translation>连接在结束前已关闭</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="116" />
            <source>The reply was cut off: {reason}</source>
            <translation>回复被中断：{reason}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="121" />
            <source>The request failed: {message}</source>
            <translation>请求失败：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="122" />
            <source>The request failed.</source>
            <translation>请求失败。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="128" />
            <source>Cannot reach {host}: connecting took too long — check the network and the proxy settings.</source>
            <translation>无法连接 {host}：连接超时 — 请检查网络和代理设置。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="132" />
            <source>{host} stopped answering within the request timeout — try again, or raise the timeout in Settings.</source>
            <translation>{host} 在请求超时时间内没有回应 — 请重试，或在设置中调高超时时间。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="135" />
            <source>The request to {host} timed out — try again.</source>
            <translation>发往 {host} 的请求超时 — 请重试。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="141" />
            <source>Cannot reach {host}: the connection was refused — is the server running?</source>
            <translation>无法连接 {host}：连接被拒绝 — 服务器是否在运行？</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="143" />
            <source>Cannot reach {host}: the name could not be resolved — check the address and the network.</source>
            <translation>无法连接 {host}：无法解析该域名 — 请检查地址和网络。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="145" />
            <source>Cannot reach {host}: the secure connection failed — check the TLS settings and the CA bundle.</source>
            <translation>无法连接 {host}：安全连接失败 — 请检查 TLS 设置和 CA 证书包。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="149" />
            <source>Cannot reach {host} through the proxy — check the proxy settings.</source>
            <translation>无法通过代理连接 {host} — 请检查代理设置。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="151" />
            <source>Cannot reach {host}: the network connection failed.</source>
            <translation>无法连接 {host}：网络连接失败。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="160" />
            <source>The server answered with a web page (HTTP {status}) — the relay may be down.</source>
            <translation>服务器返回了一个网页（HTTP {status}）— 中转服务可能已宕机。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="163" />
            <source>The server answered with a web page instead of an API reply (HTTP {status}) — check the base URL in Settings.</source>
            <translation>服务器返回了网页而不是 API 响应（HTTP {status}）— 请在设置中检查基础 URL。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="168" />
            <source>The server rejected the token — check it in Settings.</source>
            <translation>服务器拒绝了令牌 — 请在设置中检查。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="171" />
            <source>Access denied (HTTP 403): {message}</source>
            <translation>访问被拒绝（HTTP 403）：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="172" />
            <source>Access denied (HTTP 403) — the token is not allowed to use this.</source>
            <translation>访问被拒绝（HTTP 403）— 该令牌无权使用此功能。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="175" />
            <source>The model “{model}” was not found on this server — choose another one.</source>
            <translation>此服务器上找不到模型“{model}” — 请选择其他模型。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="179" />
            <source>Not found (HTTP 404): {message}</source>
            <translation>未找到（HTTP 404）：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="180" />
            <source>Not found (HTTP 404): the server has no {path} — check the base URL in Settings.</source>
            <translation>未找到（HTTP 404）：服务器没有 {path} — 请在设置中检查基础 URL。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="187" />
            <source>The server refused the request: {message}</source>
            <translation>服务器拒绝了请求：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="188" />
            <source>The server refused the request as invalid (HTTP 400).</source>
            <translation>服务器认为请求无效并拒绝了它（HTTP 400）。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="191" />
            <source>The server had a problem (HTTP {status}): {message}</source>
            <translation>服务器出现问题（HTTP {status}）：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="194" />
            <source>The server had a problem (HTTP {status}) — try again in a moment.</source>
            <translation>服务器出现问题（HTTP {status}）— 请稍后重试。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="196" />
            <source>The server gave up waiting for the request (HTTP 408) — try again.</source>
            <translation>服务器等待请求超时（HTTP 408）— 请重试。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="198" />
            <source>The request is too large for the server (HTTP 413).</source>
            <translation>请求太大，服务器无法处理（HTTP 413）。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="201" />
            <source>The server answered with an error: {message}</source>
            <translation>服务器返回了错误：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="202" />
            <source>The server's answer could not be understood.</source>
            <translation>无法理解服务器的回复。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="204" />
            <source>The server refused the request (HTTP {status}): {message}</source>
            <translation>服务器拒绝了请求（HTTP {status}）：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="207" />
            <source>The server refused the request (HTTP {status}).</source>
            <translation>服务器拒绝了请求（HTTP {status}）。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="213" />
            <source>The account has no quota left: {message}</source>
            <translation>账户额度已用完：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="214" />
            <source>The account has no quota left — check your plan or balance.</source>
            <translation>账户额度已用完 — 请检查套餐或余额。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="217" />
            <source>Rate limited — retrying in {seconds} s.</source>
            <translation>请求过于频繁 — {seconds} 秒后重试。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="219" />
            <source>Rate limited — try again later. The server said: {message}</source>
            <translation>请求过于频繁 — 请稍后再试。服务器消息：{message}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="220" />
            <source>Rate limited — try again later.</source>
            <translation>请求过于频繁 — 请稍后再试。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="225" />
            <source>No keychain is available to store the token — install GNOME Keyring or KWallet, or keep the token for this session only.</source>
            <translation>没有可用于保存令牌的密钥环 — 请安装 GNOME Keyring 或 KWallet，或仅在本次会话中保留令牌。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="231" />
            <source>The keychain is locked — unlock it and try again.</source>
            <translation>密钥环已锁定 — 请解锁后重试。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="233" />
            <source>The keychain did not open: its unlock prompt was dismissed or could not be shown.</source>
            <translation>密钥环未能打开：解锁提示被关闭或无法显示。</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="236" />
            <source>The keychain reported an error: {detail}</source>
            <translation>密钥环报告了错误：{detail}</translation>
        </message>
        <message>
            <location filename="../../app/ui/errors.py" line="237" />
            <source>The keychain reported an error.</source>
            <translation>密钥环报告了错误。</translation>
        </message>
    </context>
    <context>
        <name>profiles</name>
        <message>
            <location filename="../../app/ui/profile_names.py" line="18" />
            <source>Default</source>
            <extracomment>The name ``ProfileStore`` gives the first profile it creates (English, as stored on disk).</extracomment>
            <translation>默认</translation>
        </message>
    </context>
    <context>
        <name>validation</name>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="27" />
            <source>The profile needs a name.</source>
            <translation>配置需要一个名称。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="34" />
            <source>Enter the base URL, e.g. https://api.openai.com/v1.</source>
            <translation>请输入基础 URL，例如 https://api.openai.com/v1。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="37" />
            <source>The base URL must start with http:// or https:// and name a host.</source>
            <translation>基础 URL 必须以 http:// 或 https:// 开头，并包含主机名。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="39" />
            <source>The port in the base URL is not valid.</source>
            <translation>基础 URL 中的端口无效。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="41" />
            <source>Put the token in the Token field, not in the base URL.</source>
            <translation>请把令牌填在“令牌”栏中，而不是写进基础 URL。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="48" />
            <source>Enter the proxy URL, e.g. socks5://127.0.0.1:1080.</source>
            <translation>请输入代理 URL，例如 socks5://127.0.0.1:1080。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="51" />
            <source>The proxy URL must start with http://, https://, socks5:// or socks5h:// and name a host.</source>
            <translation>代理 URL 必须以 http://、https://、socks5:// 或 socks5h:// 开头，并包含主机名。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="55" />
            <source>The port in the proxy URL is not valid.</source>
            <translation>代理 URL 中的端口无效。</translation>
        </message>
        <message>
            <location filename="../../app/ui/settings/validation.py" line="65" />
            <source>The CA bundle file does not exist.</source>
            <translation>CA 证书包文件不存在。</translation>
        </message>
    </context>
</TS>
