<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/ui/about.py" line="18"/>
        <source>About Parla</source>
        <translation>关于 Parla</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="19"/>
        <source>Parla {version}</source>
        <translation>Parla {version}</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="25"/>
        <source>A native desktop client for OpenAI-compatible APIs: chat, images and voice.</source>
        <translation>一款原生桌面客户端，适用于兼容 OpenAI 的 API：聊天、图像和语音。</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="27"/>
        <source>Released under the MIT License.</source>
        <translation>以 MIT 许可证发布。</translation>
    </message>
    <message>
        <location filename="../../app/ui/about.py" line="29"/>
        <source>Built with Qt {qt} and PySide6 {pyside}.</source>
        <translation>基于 Qt {qt} 和 PySide6 {pyside} 构建。</translation>
    </message>
</context>
<context>
    <name>AttachmentStrip</name>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="259"/>
        <source>Picture detail</source>
        <extracomment>A tile&apos;s remove button was clicked: (PendingImage) Pictures were added or removed.</extracomment>
        <translation>图片细节</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="260"/>
        <source>Detail: auto</source>
        <translation>细节：自动</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="261"/>
        <source>Detail: low</source>
        <translation>细节：低</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="262"/>
        <source>Detail: high</source>
        <translation>细节：高</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="264"/>
        <source>How closely the model looks at the pictures of this message (low is cheaper and faster)</source>
        <translation>模型查看此消息中图片的精细程度（低更便宜、更快）</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../app/ui/widgets/banner.py" line="35"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/banner.py" line="36"/>
        <source>Hide this message</source>
        <translation>隐藏此消息</translation>
    </message>
</context>
<context>
    <name>BuiltinPresets</name>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="118"/>
        <source>General assistant</source>
        <translation>通用助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="119"/>
        <source>You are a helpful, honest assistant. Answer clearly and accurately, use Markdown where it helps, and say so when you are not sure.</source>
        <translation>你是一个乐于助人、诚实可靠的助手。回答要清楚、准确，需要时使用 Markdown；不确定时请直说。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="127"/>
        <source>Translator (中⇄英)</source>
        <translation>翻译（中⇄英）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="128"/>
        <source>You are a professional translator between Chinese and English. If the text is in Chinese, translate it into natural English; otherwise translate it into natural Simplified Chinese. Keep the meaning, tone and formatting, and reply with the translation only.</source>
        <translation>你是一名专业的中英文翻译。如果原文是中文，请译成自然流畅的英文；否则请译成自然流畅的简体中文。保持原意、语气和格式，只回复译文。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="138"/>
        <source>Code reviewer</source>
        <translation>代码审查</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="139"/>
        <source>You are a senior software engineer reviewing code. List bugs, security problems, unclear names and missing tests, most important first, each with a concrete fix (a short code snippet where it helps). Do not rewrite the whole code.</source>
        <translation>你是一名正在审查代码的资深软件工程师。请按重要程度依次列出缺陷、安全问题、含义不清的命名和缺少的测试，并为每一项给出具体的修改建议（必要时附上简短的代码片段）。不要重写整段代码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="149"/>
        <source>Concise</source>
        <translation>简洁</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="150"/>
        <source>Answer as briefly as possible: one sentence or a short list. No preamble, no repeating the question, no closing remarks.</source>
        <translation>尽可能简短地回答：一句话或一个简短的列表。不要开场白，不要复述问题，也不要结束语。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="158"/>
        <source>Creative writer</source>
        <translation>创意写作</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/presets.py" line="159"/>
        <source>You are a creative writing partner. Offer vivid, original ideas and prose, vary the rhythm of your sentences and avoid clichés. If the request is unclear, ask one short question first.</source>
        <translation>你是一名创意写作伙伴。请提供生动、新颖的构思和文字，句子节奏富于变化，避免陈词滥调。如果要求不清楚，先问一个简短的问题。</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <location filename="../../app/ui/chat/controller.py" line="901"/>
        <source>This model does not accept images.</source>
        <extracomment>Opening a conversation shows this many of its last messages first, then loads the others. How often the text of a streaming reply is written to the store (at most; only when it grew). A 429 that names a wait no longer than this is retried once by itself, after the wait. How long the Undo of a deleted message is offered (as long as the sidebar&apos;s for a conversation). The documents changed (at most once per frame); the view re-measures the row. Something other than the text changed: the first byte, the first answer after thinking. The reply&apos;s image parts (pictures a tool made), kept with the text in every save. The tool loop&apos;s per-reply state (None: a plain reply). Chosen tools this reply could not offer (their server is not running), as shown. Messages the search tool leaves out: this reply and the user message it answers. This round&apos;s calls as the model writes them (by index), shown before the round ends. Titles, order or membership of the conversation list changed: reload the sidebar. Another conversation is open (or none: a new chat not yet written). A reply started or ended somewhere. Pictures a reply named could not be kept: (how many, a sentence about the first failure) The deleted message whose Undo was offered is gone for good now: hide the offer. For function calling: the round limit (preferences), MCP tools, the gallery&apos;s folder. The tool confirmation open now, if any (tests answer it). The deleted message Undo can bring back: (trash id, conversation id)</extracomment>
        <translation>此模型不接受图片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/controller.py" line="903"/>
        <source>{reason} If this model cannot use tools, turn them off in the conversation&apos;s settings.</source>
        <translation>{reason} 如果这个模型不支持工具，请在对话设置中关闭工具。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/controller.py" line="920"/>
        <source>Stopped after one round of tool calls.</source>
        <translation>已在一轮工具调用后停止。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/controller.py" line="922"/>
        <source>Stopped after {count} rounds of tool calls.</source>
        <translation>已在 {count} 轮工具调用后停止。</translation>
    </message>
</context>
<context>
    <name>ChatImageViewer</name>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="579"/>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="594"/>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="596"/>
        <source>100 %</source>
        <translation>100%</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="597"/>
        <location filename="../../app/ui/chat/image_view.py" line="610"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="599"/>
        <location filename="../../app/ui/chat/image_view.py" line="611"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="602"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="604"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="608"/>
        <source>Fit the whole picture in the window</source>
        <translation>让整张图片适应窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="609"/>
        <source>Show the picture at its real size, one screen pixel for each of its pixels</source>
        <translation>以实际大小显示图片，每个图片像素对应一个屏幕像素</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="612"/>
        <source>Copy the picture to the clipboard</source>
        <translation>将图片复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="613"/>
        <source>Save the picture to a file</source>
        <translation>将图片保存为文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="617"/>
        <source>{what} ({key})</source>
        <translation>{what}（{key}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="625"/>
        <source>{width} × {height} px</source>
        <extracomment>The last drag&apos;s data (what a drop would receive), for tests and diagnostics.</extracomment>
        <translation>{width} × {height} 像素</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="660"/>
        <source>Picture copied.</source>
        <translation>图片已复制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="667"/>
        <source>Save picture</source>
        <translation>保存图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="686"/>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
</context>
<context>
    <name>ChatImages</name>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="118"/>
        <source>“{name}” is not a picture, so it was not attached.</source>
        <extracomment>Longest side of a composer thumbnail, in pixels. The detail values a request may name (&quot;auto&quot; is what the API assumes when none is given).</extracomment>
        <translation>“{name}”不是图片，未添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="120"/>
        <source>“{name}” is larger than 50 MB, so it was not attached.</source>
        <translation>“{name}”大于 50 MB，未添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="122"/>
        <source>“{name}” has more than 100 megapixels, so it was not attached.</source>
        <translation>“{name}”超过 1 亿像素，未添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="124"/>
        <source>“{name}” is a kind of picture Parla cannot read (such as HEIC or SVG), so it was not attached.</source>
        <translation>“{name}”是 Parla 无法读取的图片格式（如 HEIC 或 SVG），未添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="128"/>
        <source>“{name}” is empty or damaged, so it was not attached.</source>
        <translation>“{name}”为空或已损坏，未添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="129"/>
        <source>The pasted picture</source>
        <translation>粘贴的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="137"/>
        <source>“{name}” is larger than 20 MB, so it was not attached.</source>
        <translation>“{name}”大于 20 MB，因此未添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="139"/>
        <source>“{name}” took too long to download, so it was not attached.</source>
        <translation>“{name}”下载时间过长，因此未添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="143"/>
        <source>“{name}” could not be downloaded, so it was not attached: {reason}</source>
        <translation>无法下载“{name}”，因此未添加：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="154"/>
        <source>The picture from {host} is larger than 20 MB, so it was not loaded.</source>
        <translation>来自 {host} 的图片大于 20 MB，因此未加载。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="156"/>
        <source>The picture from {host} took too long to download, so it was not loaded.</source>
        <translation>来自 {host} 的图片下载时间过长，因此未加载。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="158"/>
        <source>The file at {host} is not a picture Parla can read, so it was not loaded.</source>
        <translation>{host} 上的文件不是 Parla 能读取的图片，因此未加载。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="160"/>
        <source>The picture from {host} could not be loaded: {reason}</source>
        <translation>无法加载来自 {host} 的图片：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="171"/>
        <source>A picture in the reply is larger than 20 MB, so it was not kept.</source>
        <translation>回复中的一张图片大于 20 MB，未保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="173"/>
        <source>A picture in the reply took too long to download, so it was not kept.</source>
        <translation>回复中的一张图片下载时间过长，未保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="175"/>
        <source>A picture in the reply has an address Parla does not download, so it was not kept.</source>
        <translation>回复中的一张图片的地址不是 Parla 会下载的类型，未保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="177"/>
        <source>A picture in the reply is not a picture Parla can read, so it was not kept.</source>
        <translation>回复中的一张图片不是 Parla 能读取的图片，未保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="178"/>
        <source>A picture in the reply could not be downloaded, so it was not kept: {reason}</source>
        <translation>回复中的一张图片无法下载，未保存：{reason}</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <location filename="../../app/ui/chat/page.py" line="130"/>
        <source>Ask anything. Conversations are kept on this computer.</source>
        <extracomment>The composer&apos;s text is saved this long after the last keystroke (and at once on switching). What the sidebar lists: chats, voice conversations, text completions.</extracomment>
        <translation>有问题尽管问。对话只保存在这台电脑上。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="153"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="156"/>
        <source>Model, system prompt and parameters of this conversation</source>
        <translation>此对话的模型、系统提示词和参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="215"/>
        <location filename="../../app/ui/chat/page.py" line="605"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="221"/>
        <location filename="../../app/ui/chat/page.py" line="606"/>
        <source>New text completion</source>
        <translation>新文本补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="226"/>
        <source>Stop the reply or the completion being written</source>
        <translation>停止正在生成的回复或补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="310"/>
        <source>The conversation history could not be opened, so Chat is unavailable.</source>
        <translation>无法打开对话记录，因此聊天不可用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="526"/>
        <source>Attach pictures</source>
        <translation>添加图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="530"/>
        <source>Pictures (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="531"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="602"/>
        <source>More kinds of conversation</source>
        <translation>更多对话类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="603"/>
        <source>Start a new chat or a new text completion</source>
        <translation>开始新对话或新的文本补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="608"/>
        <source>A conversation with the model (Ctrl+N)</source>
        <translation>与模型对话（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="612"/>
        <source>A text the model continues, with the completions endpoint (Ctrl+Shift+N)</source>
        <translation>由模型续写的文本，使用补全接口（Ctrl+Shift+N）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="754"/>
        <source>A picture of the draft is no longer kept, so it was removed.</source>
        <translation>草稿中的一张图片已不再保存，因此已将其移除。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="863"/>
        <source>“{title}” deleted.</source>
        <translation>已删除“{title}”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="921"/>
        <source>Message copied.</source>
        <translation>消息已复制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="924"/>
        <source>Message copied as plain text.</source>
        <translation>消息已按纯文本复制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="938"/>
        <source>Asking again replaces this reply and the message after it.</source>
        <translation>重新生成会替换此回复及其后的一条消息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="940"/>
        <source>Asking again replaces this reply and the {count} messages after it.</source>
        <translation>重新生成会替换此回复及其后的 {count} 条消息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="941"/>
        <location filename="../../app/ui/chat/page.py" line="956"/>
        <source>Replace later messages?</source>
        <translation>替换后面的消息？</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="953"/>
        <source>Sending the edited message replaces the message after it.</source>
        <translation>发送修改后的消息会替换其后的一条消息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="955"/>
        <source>Sending the edited message replaces the {count} messages after it.</source>
        <translation>发送修改后的消息会替换其后的 {count} 条消息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="966"/>
        <source>Message deleted.</source>
        <translation>消息已删除。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="976"/>
        <source>The message can no longer be brought back.</source>
        <translation>这条消息已无法恢复。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="1092"/>
        <source>Export / Import</source>
        <translation>导出 / 导入</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="1093"/>
        <source>Export or import</source>
        <translation>导出或导入</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="1094"/>
        <source>Save conversations to a file, or bring conversations in from one</source>
        <translation>将对话保存到文件，或从文件导入对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="941"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="956"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/page.py" line="1040"/>
        <source>The model this conversation asks</source>
        <translation>此对话使用的模型</translation>
    </message>
</context>
<context>
    <name>ChatRender</name>
    <message>
        <location filename="../../app/ui/chat/render_document.py" line="342"/>
        <source>Open the picture</source>
        <extracomment>Char-format properties of a formula placeholder: which formula it waits for, and the foreground of the surrounding text (restored if the formula stays as source). Char-format properties of a markdown image&apos;s placeholder: its address and its alt text, so :meth:`MessageDocument.show_kept_images` can swap it for the copy Parla kept. An inline kept picture: its resource name and its anchor (``parla-kept:&lt;hash&gt;`` opens the viewer). Tables with more body rows than this are shown as preformatted text: a QTextTable of thousands of rows takes seconds to build and lay out, and nobody reads it as a grid. Likewise for absurdly wide tables. While a code block streams, the last this many lines stay live (re-lexed on each update). A few lexer rules match a whole multi-line construct at once (``/* … */`` in C or JavaScript) and only once its end has arrived; keeping a window open lets such a construct of up to this many lines be coloured as a one-shot render colours it, at a cost that stays constant. (position, characters removed): a formula placeholder became its one-character image. Hashes of kept pictures shown in the text in place of their markdown placeholder.</extracomment>
        <translation>打开图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/render_document.py" line="758"/>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/render_document.py" line="764"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/render_document.py" line="861"/>
        <source>A large table (%1 rows), shown as text.</source>
        <translation>大型表格（%1 行），以文本显示。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/render_document.py" line="983"/>
        <source>Image: %1</source>
        <translation>图片：%1</translation>
    </message>
</context>
<context>
    <name>ChatSidebar</name>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="70"/>
        <source>Pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="72"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="74"/>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="76"/>
        <source>Previous 7 days</source>
        <translation>过去 7 天</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="81"/>
        <source>MMMM yyyy</source>
        <comment>month heading: a QDate format</comment>
        <translation>yyyy年M月</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="87"/>
        <source>New text completion</source>
        <translation>新文本补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="88"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="93"/>
        <source>Voice</source>
        <comment>tag of a conversation held in the Voice tab</comment>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="98"/>
        <source>Completion</source>
        <comment>tag of a text completion (not a chat)</comment>
        <translation>补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="186"/>
        <source>%1 (voice conversation)</source>
        <extracomment>The user typed a new name in the list (F2 or double-click): the page stores it.</extracomment>
        <translation>%1（语音对话）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar_model.py" line="188"/>
        <source>%1 (text completion)</source>
        <translation>%1（文本补全）</translation>
    </message>
</context>
<context>
    <name>CompletionParametersPanel</name>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="397"/>
        <location filename="../../app/ui/chat/completion_view.py" line="399"/>
        <source>Model</source>
        <extracomment>The character property that marks the model&apos;s text in the document. The character property naming the stored message a generated run belongs to (two completions in a row stay two messages, each with its own state, usage and choices). The document is written this long after the last keystroke (and at once on leaving). Parameter changes are kept after this pause. Ctrl+Enter in the editor (the window&apos;s shortcut does the same elsewhere). (model, parameters) after the user changed something.</extracomment>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="401"/>
        <source>The model that continues the text. Type any model name; the list is what the server offers.</source>
        <translation>续写文本的模型。可输入任意模型名称；列表为服务器提供的模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="414"/>
        <source>The longest completion allowed, in tokens; it stops there</source>
        <translation>补全允许的最大长度（令牌数），达到后停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="415"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="431"/>
        <source>Choices (n)</source>
        <translation>候选数 (n)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="436"/>
        <source>Number of choices</source>
        <translation>候选数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="438"/>
        <source>How many completions to ask for at once; the first streams in place, and you can pick another</source>
        <translation>一次请求多少个补全；第一个在原处流式显示，可改选其他候选</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="447"/>
        <location filename="../../app/ui/chat/completion_view.py" line="449"/>
        <source>Echo the prompt</source>
        <translation>回显提示</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="451"/>
        <source>Ask the server to send the prompt back before the completion (it is already in the editor, so it is not repeated)</source>
        <translation>让服务器在补全前回传提示（提示已在编辑器中，因此不会重复显示）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="457"/>
        <source>Stop sequences</source>
        <translation>停止序列</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="458"/>
        <source>Up to four. The completion ends before any of them. Type \n for a new line.</source>
        <translation>最多四个。补全会在其中任一序列之前结束。输入 \n 表示换行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="466"/>
        <location filename="../../app/ui/chat/completion_view.py" line="467"/>
        <source>Stop sequence {number}</source>
        <translation>停止序列 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="468"/>
        <source>The completion ends before this text; \n is a new line, \t a tab</source>
        <translation>补全在此文本之前结束；\n 表示换行，\t 表示制表符</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="475"/>
        <location filename="../../app/ui/chat/completion_view.py" line="478"/>
        <source>Suffix</source>
        <translation>后缀</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="480"/>
        <source>Text that comes after the completion (fill in the middle); only some models accept it</source>
        <translation>补全之后的文本（中间填充）；仅部分模型支持</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="482"/>
        <source>Text after the completion (optional)</source>
        <translation>补全之后的文本（可选）</translation>
    </message>
</context>
<context>
    <name>CompletionView</name>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="618"/>
        <source>Text completion</source>
        <extracomment>Something to say outside the view (a failure of the store): the page&apos;s notifier shows it.</extracomment>
        <translation>文本补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="621"/>
        <source>The model continues your text (the /completions endpoint), with no chat roles</source>
        <translation>模型续写你的文本（/completions 接口），不区分对话角色</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="622"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="626"/>
        <source>Show parameters</source>
        <translation>显示参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="627"/>
        <source>Model and parameters of this completion</source>
        <translation>此补全的模型和参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="636"/>
        <source>Prompt and completion</source>
        <translation>提示与补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="638"/>
        <source>Write the beginning of a text; Complete (Ctrl+Enter) continues it here. The model&apos;s text is tinted and can be edited.</source>
        <translation>写下文本的开头，“补全”（Ctrl+Enter）会在此处续写。模型写的文本带底色，可以编辑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="640"/>
        <source>Write the beginning of a text, then press Ctrl+Enter to let the model continue it.</source>
        <translation>写下文本的开头，然后按 Ctrl+Enter 让模型续写。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="651"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="653"/>
        <source>Retry the completion</source>
        <translation>重试补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="654"/>
        <source>Ask again for a completion of the text (what the failed request wrote is replaced)</source>
        <translation>重新请求补全此文本（失败请求写入的内容会被替换）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="664"/>
        <source>Choices:</source>
        <translation>候选：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="667"/>
        <source>Choices</source>
        <translation>候选</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="668"/>
        <source>The request gave several completions: pick the one to keep in the text</source>
        <translation>此次请求返回了多个补全：选择要保留在文本中的一个</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="687"/>
        <source>Tokens the server counted for the last request</source>
        <translation>服务器为上次请求统计的令牌数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="689"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="691"/>
        <source>Stop the completion</source>
        <translation>停止补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="692"/>
        <source>Stop the completion; the text so far is kept (Esc)</source>
        <translation>停止补全；已生成的文本会保留（Esc）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="695"/>
        <source>Complete</source>
        <translation>补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="697"/>
        <source>Complete the text</source>
        <translation>补全文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="698"/>
        <source>Let the model continue the text after its end (Ctrl+Enter)</source>
        <translation>让模型从文本末尾继续写（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="769"/>
        <location filename="../../app/ui/chat/completion_view.py" line="892"/>
        <source>The completion failed.</source>
        <translation>补全失败。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="773"/>
        <source>Interrupted — Parla closed before the completion finished.</source>
        <translation>已中断 — Parla 在补全完成前关闭了。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="775"/>
        <location filename="../../app/ui/chat/completion_view.py" line="894"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="784"/>
        <source>New text completion</source>
        <translation>新文本补全</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="794"/>
        <source>Write some text first: the model continues it.</source>
        <translation>请先写一些文本：模型会接着写下去。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="814"/>
        <source>Waiting for the model…</source>
        <translation>正在等待模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="896"/>
        <source>Cut short: the completion reached the max tokens limit.</source>
        <translation>已截断：补全达到了最大令牌数限制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="898"/>
        <source>Cut short by the server&apos;s content filter.</source>
        <translation>已被服务器的内容过滤器截断。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="900"/>
        <source>The model added nothing.</source>
        <translation>模型没有添加任何内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="928"/>
        <source>Choice {number}</source>
        <translation>候选 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="930"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/completion_view.py" line="1021"/>
        <source>Tokens: {prompt} prompt · {completion} completion</source>
        <translation>令牌：提示 {prompt} · 补全 {completion}</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="100"/>
        <source>Message</source>
        <extracomment>Pictures were pasted or dropped onto the text: list[ImageSource] The Attach button was clicked.</extracomment>
        <translation>消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="105"/>
        <source>Attach…</source>
        <translation>添加图片…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="107"/>
        <source>Attach pictures</source>
        <translation>附加图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="109"/>
        <source>Attach pictures to the message (you can also drop them here or paste them with Ctrl+V)</source>
        <translation>为消息添加图片（也可以拖放到这里，或用 Ctrl+V 粘贴）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="113"/>
        <location filename="../../app/ui/chat/composer.py" line="115"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="118"/>
        <location filename="../../app/ui/chat/composer.py" line="120"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="121"/>
        <source>Stop the reply (Esc); what arrived so far is kept.</source>
        <translation>停止回复（Esc）；已收到的内容会保留。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="210"/>
        <source>Message — Enter to send, Shift+Enter for a new line</source>
        <translation>输入消息 — Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="212"/>
        <source>Message — Shift+Enter to send, Enter for a new line</source>
        <translation>输入消息 — Shift+Enter 发送，Enter 换行</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="217"/>
        <source>Send the message (Enter or Ctrl+Enter in the text)</source>
        <translation>发送消息（在文本中按 Enter 或 Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="219"/>
        <source>Send the message (Shift+Enter or Ctrl+Enter in the text)</source>
        <translation>发送消息（在文本中按 Shift+Enter 或 Ctrl+Enter）</translation>
    </message>
</context>
<context>
    <name>ConnectionIndicator</name>
    <message>
        <location filename="../../app/ui/status_bar.py" line="83"/>
        <source>Connection status</source>
        <translation>连接状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="84"/>
        <source>from environment</source>
        <translation>来自环境变量</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="86"/>
        <source>OPENAI_BASE_URL or OPENAI_API_KEY is set: it overrides the active profile for this run and is never saved.</source>
        <translation>已设置 OPENAI_BASE_URL 或 OPENAI_API_KEY：本次运行中它会覆盖当前配置，且永远不会被保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="124"/>
        <source>No token — open Settings</source>
        <translation>没有令牌 — 请打开设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="125"/>
        <location filename="../../app/ui/status_bar.py" line="138"/>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="128"/>
        <source>Checking connection…</source>
        <translation>正在检查连接…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="131"/>
        <source>Connected · 1 model</source>
        <translation>已连接 · 1 个模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="133"/>
        <source>Connected · {count} models</source>
        <translation>已连接 · {count} 个模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="138"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="141"/>
        <source>The token is kept for this session only.</source>
        <translation>令牌仅在本次会话中保留。</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="147"/>
        <source>Check the connection again</source>
        <translation>重新检查连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="149"/>
        <source>Open the profile settings</source>
        <translation>打开配置设置</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsPanel</name>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="540"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="556"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="554"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="537"/>
        <source>&amp;Model</source>
        <extracomment>(model, settings) after the user changed something, debounced. (conversation id, model, settings): the same report, with the conversation it belongs to.</extracomment>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="548"/>
        <source>P&amp;reset</source>
        <translation>预设(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="555"/>
        <source>Apply a preset: its system prompt and parameters replace these</source>
        <translation>应用预设：用它的系统提示词和参数替换当前设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="566"/>
        <source>Presets</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="567"/>
        <source>Presets menu</source>
        <translation>预设菜单</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="568"/>
        <source>Save these settings as a preset, or rename and delete presets</source>
        <translation>将这些设置保存为预设，或重命名、删除预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="571"/>
        <source>Save as preset…</source>
        <translation>另存为预设…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="573"/>
        <source>Manage presets…</source>
        <translation>管理预设…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="583"/>
        <source>S&amp;ystem prompt</source>
        <translation>系统提示词(&amp;Y)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="587"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="588"/>
        <source>Instructions sent first in every request of this conversation</source>
        <translation>在此对话的每个请求中最先发送的指令</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="590"/>
        <source>Instructions the model follows for the whole conversation (optional)</source>
        <translation>模型在整个对话中遵循的指示（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="116"/>
        <source>Parameters</source>
        <extracomment>The settings keys the Tools section owns.</extracomment>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="118"/>
        <source>Unchecked parameters are not sent: the server&apos;s defaults apply.</source>
        <translation>未勾选的参数不会发送，使用服务器的默认值。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="603"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="619"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="620"/>
        <location filename="../../app/ui/chat/settings_panel.py" line="622"/>
        <source>Let the model use tools</source>
        <translation>允许模型使用工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="624"/>
        <source>Offer the tools ticked below to the model in this conversation (function calling)</source>
        <translation>在此对话中向模型提供下面勾选的工具（函数调用）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="630"/>
        <source>Tools to offer</source>
        <translation>提供的工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="631"/>
        <source>The tools the model may call; hover over one to see what it does</source>
        <translation>模型可以调用的工具；将指针悬停在某个工具上可查看其用途</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="644"/>
        <source>Unavailable tools</source>
        <translation>不可用的工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="646"/>
        <source>Chosen tools whose MCP server is not running: replies go out without them until it runs</source>
        <translation>所选工具的 MCP 服务器未在运行：在它运行之前，回复将不使用这些工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="650"/>
        <source>Open MCP servers…</source>
        <translation>打开 MCP 服务器…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="652"/>
        <source>Open Settings on the MCP servers page</source>
        <translation>在“MCP 服务器”页打开设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="653"/>
        <source>Start, restart or fix the MCP servers in Settings</source>
        <translation>在设置中启动、重启或修复 MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="660"/>
        <source>Run without asking in this conversation:</source>
        <translation>在此对话中无需询问即可运行：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="674"/>
        <source>Image generation and tools from MCP servers ask you before each use.</source>
        <extracomment>(tool name, its &quot;Ask again&quot; button), in the order allowed.</extracomment>
        <translation>图像生成和来自 MCP 服务器的工具每次使用前都会先征求你的同意。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="686"/>
        <source>Reset to defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="687"/>
        <source>The profile&apos;s default model, no system prompt, every parameter left to the server</source>
        <translation>使用配置的默认模型，不设系统提示词，所有参数交由服务器决定</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="134"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="135"/>
        <source>Randomness, 0–2: lower is more focused and repeatable, higher more varied</source>
        <translation>随机性，0–2：越低越集中、越可重复，越高越多样</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="138"/>
        <source>Top P</source>
        <translation>Top P 采样</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="139"/>
        <source>Nucleus sampling, 0–1: only the most likely words whose chances add up to this are considered</source>
        <translation>核采样，0–1：只考虑累计概率达到该值的最可能的词</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="145"/>
        <source>Max tokens</source>
        <translation>最大令牌数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="146"/>
        <source>The longest reply allowed, in tokens; the reply stops there</source>
        <translation>回复允许的最大长度（令牌数），到达后回复即停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="149"/>
        <source>Presence penalty</source>
        <translation>存在惩罚</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="150"/>
        <source>−2 to 2: positive values push the model towards new topics</source>
        <translation>−2 到 2：正值促使模型谈论新话题</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="153"/>
        <source>Frequency penalty</source>
        <translation>频率惩罚</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="154"/>
        <source>−2 to 2: positive values make the model repeat itself less</source>
        <translation>−2 到 2：正值让模型减少重复</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="819"/>
        <source>{name} — {server}</source>
        <translation>{name} — {server}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="825"/>
        <source>No description.</source>
        <translation>没有说明。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="826"/>
        <source>{description}

Source: {source}</source>
        <translation>{description}

来源：{source}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="830"/>
        <source>{name} (unavailable)</source>
        <translation>{name}（不可用）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="835"/>
        <source>Not available now: {why}.
Untick it to stop choosing it.</source>
        <translation>当前不可用：{why}。
取消勾选即不再选择它。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="838"/>
        <source>“{name}”: {why}.</source>
        <translation>“{name}”：{why}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="840"/>
        <source>Not available now, replies go out without them:</source>
        <translation>当前不可用，回复将不使用它们：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="894"/>
        <source>Ask again</source>
        <translation>重新询问</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="896"/>
        <source>Ask again before “{name}” runs</source>
        <translation>运行“{name}”前重新询问</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="897"/>
        <source>Ask before each use of “{name}” in this conversation again</source>
        <translation>在此对话中每次使用“{name}”前重新询问</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="997"/>
        <source>Save as preset</source>
        <translation>另存为预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="1015"/>
        <source>The preset could not be saved: the name is not allowed.</source>
        <translation>无法保存预设：名称不可用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="1017"/>
        <source>Preset “{name}” saved.</source>
        <translation>预设“{name}”已保存。</translation>
    </message>
</context>
<context>
    <name>ConversationSidebar</name>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="83"/>
        <source>by meaning</source>
        <comment>tag of a search hit found by meaning only</comment>
        <translation>按含义</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="356"/>
        <source>New Chat</source>
        <extracomment>Lines of snippet a search hit shows at most (fewer when the snippet is shorter). Padding above and below a hit&apos;s text, and between the title and the snippet. The Menu key or Shift+F10 (or the platform&apos;s keyboard context-menu event). (query) — the debounced search text; &quot;&quot; when the search was cleared (conversation id, message id or -1 for a title hit) (on) — the user clicked &quot;By meaning&quot;; the switch shows the new state once it is applied the button of the indexing line (Pause, Resume or Retry) was clicked the search box got the focus: a search may follow (search by meaning loads its vectors)</extracomment>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="358"/>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>开始新对话（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="367"/>
        <location filename="../../app/ui/chat/sidebar.py" line="375"/>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="376"/>
        <source>Find conversations by title or by words in their messages</source>
        <translation>按标题或消息中的词语查找对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="378"/>
        <source>By meaning</source>
        <translation>按含义搜索</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="380"/>
        <source>Search by meaning</source>
        <translation>按含义搜索</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="383"/>
        <source>Also find messages that mean the same without using the same words. The history is indexed with the profile&apos;s embedding model, which costs tokens.</source>
        <translation>同时找出意思相同但用词不同的消息。历史记录会用当前配置的嵌入模型建立索引，这会消耗令牌。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="393"/>
        <source>Indexing by meaning</source>
        <translation>按含义建立索引</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="421"/>
        <source>Show what can be done with the selected conversation</source>
        <translation>显示可对所选对话执行的操作</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="427"/>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="429"/>
        <source>Your conversations, newest first: Enter opens, F2 renames, Delete deletes, the Menu key shows more</source>
        <translation>你的对话，最新的在前：Enter 打开，F2 重命名，Delete 删除，菜单键显示更多操作</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="444"/>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="445"/>
        <source>Messages that match the search; Enter opens the conversation at that message</source>
        <translation>与搜索匹配的消息；按 Enter 打开对话并定位到该消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="446"/>
        <source>Nothing found.</source>
        <translation>没有找到。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="461"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="467"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="661"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="665"/>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="665"/>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sidebar.py" line="669"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="52"/>
        <source>Parla — unexpected error</source>
        <translation>Parla — 意外错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="57"/>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="59"/>
        <source>Parla ran into an unexpected problem. It may keep working, but restart it if anything looks wrong.</source>
        <translation>Parla 遇到了意外问题。它可能仍可继续工作，但如果有任何异常，请重新启动。</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="75"/>
        <source>Crash report</source>
        <translation>错误报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="76"/>
        <source>The report to paste into a bug report: versions, platform and traceback</source>
        <translation>可粘贴到问题反馈中的报告：版本、平台和调用栈</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="78"/>
        <source>The report holds no token; long quoted values are replaced by their length. Read it before you share it.</source>
        <translation>报告中不含令牌；较长的引号内容已替换为其长度。分享前请先阅读。</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="84"/>
        <location filename="../../app/ui/crash_dialog.py" line="129"/>
        <source>&amp;Copy report</source>
        <translation>复制报告(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="86"/>
        <source>Copy the report to the clipboard</source>
        <translation>将报告复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="90"/>
        <source>Close this message; Parla keeps running</source>
        <translation>关闭此消息；Parla 会继续运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/crash_dialog.py" line="124"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>DocumentView</name>
    <message>
        <location filename="../../app/ui/chat/document_view.py" line="287"/>
        <source>Copy</source>
        <extracomment>A link was clicked (pressed and released on the same anchor): (document, href). The button went down on a link starting with :attr:`drag_prefix` (a drag may follow): href The mouse moved far enough from such a link with the button down (drag it out): href Links starting with this are dragged (not selected across) when the mouse moves from them.</extracomment>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/document_view.py" line="292"/>
        <source>Copy Link Address</source>
        <translation>复制链接地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/document_view.py" line="295"/>
        <source>Select All</source>
        <translation>全选</translation>
    </message>
</context>
<context>
    <name>EditPanel</name>
    <message>
        <location filename="../../app/ui/images/panels.py" line="415"/>
        <source>Pictures to edit</source>
        <translation>要编辑的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="416"/>
        <source>The mask is painted on the first picture; Delete takes the selected one out</source>
        <translation>蒙版画在第一张图片上；按 Delete 移除选中的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="418"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="420"/>
        <source>Take the selected picture out of the edit</source>
        <translation>把选中的图片从这次编辑中移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="422"/>
        <source>Remove the selected picture from the edit</source>
        <translation>从编辑中移除选中的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="432"/>
        <source>Choose the picture to edit: Open…, Paste, drop a file here, or pick Edit on a gallery picture. Then paint over the part that should change.</source>
        <translation>选择要编辑的图片：打开…、粘贴、把文件拖到这里，或在图库里的图片上选“编辑”。然后涂抹需要修改的部分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="435"/>
        <source>Describe the change, or the whole new picture…</source>
        <translation>描述要做的修改，或整张新图片…</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="456"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="518"/>
        <source>This model edits one picture at a time: remove the others, or choose gpt-image-1.</source>
        <translation>这个模型一次只能编辑一张图片：请移除其他图片，或选择 gpt-image-1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="520"/>
        <source>You paint the mask on the first picture; the others guide the model (up to {count}).</source>
        <translation>蒙版画在第一张图片上；其余图片供模型参考（最多 {count} 张）。</translation>
    </message>
</context>
<context>
    <name>ExportActions</name>
    <message>
        <location filename="../../app/ui/chat/export.py" line="81"/>
        <source>Export conversation…</source>
        <extracomment>Conversations were imported: their local ids, in the file&apos;s order. An export or import ended; the argument is what the user was told (&quot;&quot; when cancelled).</extracomment>
        <translation>导出对话…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="83"/>
        <source>Save this conversation as Markdown or JSON</source>
        <translation>将此对话保存为 Markdown 或 JSON</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="85"/>
        <source>Export all conversations…</source>
        <translation>导出全部对话…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="87"/>
        <source>Save every conversation in one Markdown or JSON file</source>
        <translation>将所有对话保存到一个 Markdown 或 JSON 文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="89"/>
        <source>Import conversations…</source>
        <translation>导入对话…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="91"/>
        <source>Restore conversations from a Parla JSON export</source>
        <translation>从 Parla 导出的 JSON 文件恢复对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="145"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="146"/>
        <source>JSON, restorable with Import (*.json)</source>
        <translation>JSON，可通过导入恢复 (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="201"/>
        <source>This conversation no longer exists.</source>
        <translation>此对话已不存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="203"/>
        <source>conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="204"/>
        <source>Export conversation</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="210"/>
        <source>Export all conversations</source>
        <translation>导出全部对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="210"/>
        <source>Parla conversations</source>
        <translation>Parla 对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="216"/>
        <source>Import conversations</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="220"/>
        <source>Parla JSON export (*.json)</source>
        <translation>Parla JSON 导出文件 (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="220"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="235"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="236"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="237"/>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="238"/>
        <source>Tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="239"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="240"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="241"/>
        <source>Created</source>
        <translation>创建于</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="242"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="243"/>
        <source>Thinking</source>
        <translation>思考过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="244"/>
        <source>Tool calls</source>
        <translation>工具调用</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="245"/>
        <source>Result of {id}</source>
        <translation>{id} 的结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="246"/>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="247"/>
        <source>Tokens: {prompt} prompt · {completion} completion</source>
        <translation>令牌：提示 {prompt} · 回复 {completion}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="248"/>
        <source>Stopped before the end.</source>
        <translation>在结束前已停止。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="249"/>
        <source>Interrupted.</source>
        <translation>已中断。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="250"/>
        <source>Error: {error}</source>
        <translation>错误：{error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="251"/>
        <source>Exported from Parla on {date}</source>
        <translation>于 {date} 从 Parla 导出</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="281"/>
        <source>Exported 1 conversation to {path}.</source>
        <translation>已将 1 个对话导出到 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="283"/>
        <source>Exported {count} conversations to {path}.</source>
        <translation>已将 {count} 个对话导出到 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="314"/>
        <source>1 conversation in the file could not be imported ({title}): {reason}</source>
        <translation>文件中有 1 个对话无法导入（{title}）：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="316"/>
        <source>{count} conversations in the file could not be imported. The first ({title}): {reason}</source>
        <translation>文件中有 {count} 个对话无法导入。第一个（{title}）：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="317"/>
        <source>number {number}</source>
        <translation>第 {number} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="327"/>
        <source>The file holds no conversations.</source>
        <translation>文件中没有对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="329"/>
        <source>Nothing new to import: the {count} conversations of the file are already here.</source>
        <translation>没有新内容可导入：文件中的 {count} 个对话都已存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="331"/>
        <source>Nothing new to import: the conversation of the file is already here.</source>
        <translation>没有新内容可导入：文件中的对话已存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="332"/>
        <source>Imported 1 conversation.</source>
        <translation>已导入 1 个对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="333"/>
        <source>Imported {count} conversations.</source>
        <translation>已导入 {count} 个对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="335"/>
        <source>1 was already here.</source>
        <translation>1 个已存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/export.py" line="336"/>
        <source>{count} were already here.</source>
        <translation>{count} 个已存在。</translation>
    </message>
</context>
<context>
    <name>FitChoice</name>
    <message>
        <location filename="../../app/ui/images/panels.py" line="318"/>
        <source>Crop to the centre</source>
        <translation>裁剪中间部分</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="320"/>
        <source>Cut the longer side down so the picture is square</source>
        <translation>裁掉较长的一边，使图片成为正方形</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="321"/>
        <source>Pad with white borders</source>
        <translation>用白边补齐</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="323"/>
        <source>Keep the whole picture and fill the sides with white</source>
        <translation>保留整张图片，两侧用白色填充</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="329"/>
        <source>Make it square:</source>
        <translation>变成正方形：</translation>
    </message>
</context>
<context>
    <name>GalleryDelegate</name>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="67"/>
        <source>File missing</source>
        <extracomment>Side of the square a thumbnail is drawn in, in device-independent pixels.</extracomment>
        <translation>文件丢失</translation>
    </message>
</context>
<context>
    <name>GalleryModel</name>
    <message>
        <location filename="../../app/ui/images/gallery_model.py" line="163"/>
        <source>Picture {number}</source>
        <extracomment>Rows fetched per page from the store. The view scrolled near the end and there are more rows in the store: load ``offset``…</extracomment>
        <translation>图片 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_model.py" line="225"/>
        <source>Variation of {name}</source>
        <translation>{name} 的变体</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_model.py" line="226"/>
        <source>Variation</source>
        <translation>变体</translation>
    </message>
</context>
<context>
    <name>GalleryPanel</name>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="262"/>
        <source>Search prompts</source>
        <extracomment>The search text settled (after a short pause in typing).</extracomment>
        <translation>搜索提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="264"/>
        <source>Search the gallery by prompt</source>
        <translation>按提示词搜索图库</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="265"/>
        <source>Shows only the pictures whose prompt contains these words</source>
        <translation>只显示提示词包含这些文字的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="270"/>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="271"/>
        <source>Enter opens a picture; the Menu key or Shift+F10 lists what else can be done</source>
        <translation>按 Enter 打开图片；按菜单键或 Shift+F10 列出其他操作</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="324"/>
        <source>1 picture</source>
        <translation>1 张图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="324"/>
        <source>{count} pictures</source>
        <translation>{count} 张图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="332"/>
        <source>No picture&apos;s prompt contains “{query}”.</source>
        <translation>没有图片的提示词包含“{query}”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="333"/>
        <source>No pictures yet. Describe one in Generate and press Generate; what you make, edit or vary is kept here.</source>
        <translation>还没有图片。在“生成”里描述一张并点“生成”；你生成、编辑或变体得到的图片都会保存在这里。</translation>
    </message>
</context>
<context>
    <name>GalleryView</name>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="112"/>
        <source>Show what can be done with the selected pictures</source>
        <extracomment>The user wants ``action`` done to these pictures.</extracomment>
        <translation>显示可对选中图片执行的操作</translation>
    </message>
</context>
<context>
    <name>GeneralPage</name>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="34"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="39"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="40"/>
        <source>The language of Parla&apos;s menus, buttons and messages</source>
        <translation>Parla 菜单、按钮和消息使用的语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="41"/>
        <source>A new language takes effect the next time Parla starts.</source>
        <translation>新的语言将在下次启动 Parla 时生效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="44"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="45"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="46"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="48"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="49"/>
        <source>Light or dark colours, or the same as the desktop</source>
        <translation>浅色或深色，或与桌面保持一致</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="50"/>
        <source>The theme changes as soon as you press OK or Apply.</source>
        <translation>按下“确定”或“应用”后，主题会立即更改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="53"/>
        <source>Enter sends, Shift+Enter starts a new line</source>
        <translation>Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="54"/>
        <source>Shift+Enter sends, Enter starts a new line</source>
        <translation>Shift+Enter 发送，Enter 换行</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="56"/>
        <source>Chat messages</source>
        <translation>聊天消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="57"/>
        <source>Which key sends a chat message and which starts a new line</source>
        <translation>哪个键发送聊天消息，哪个键换行</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="58"/>
        <source>Ctrl+Enter always sends.</source>
        <translation>Ctrl+Enter 始终发送。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="63"/>
        <source>Desktop default</source>
        <translation>桌面默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="64"/>
        <source> pt</source>
        <translation> 磅</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="66"/>
        <source>Text size</source>
        <translation>文字大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="67"/>
        <source>The size of all text in points; Ctrl+= and Ctrl+− change it from anywhere, Ctrl+0 resets it</source>
        <translation>所有文字的大小（磅）；在任何位置按 Ctrl+= 和 Ctrl+− 可调整，Ctrl+0 恢复默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="68"/>
        <source>Also from the keyboard: Ctrl+= larger, Ctrl+− smaller, Ctrl+0 default.</source>
        <translation>也可用键盘：Ctrl+= 放大，Ctrl+− 缩小，Ctrl+0 恢复默认。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="70"/>
        <source>Show Parla in the system tray, and keep it running there when the window is closed</source>
        <translation>在系统托盘中显示 Parla，关闭窗口后仍在托盘中运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="72"/>
        <source>System tray</source>
        <translation>系统托盘</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="73"/>
        <source>Closing the window then hides it; Quit in the tray menu (or Ctrl+Q) ends Parla</source>
        <translation>此时关闭窗口只会将其隐藏；使用托盘菜单中的“退出”（或 Ctrl+Q）结束 Parla</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="77"/>
        <source>The tray menu offers Show, New chat, Push to talk and Quit.</source>
        <translation>托盘菜单提供“显示”、“新建对话”、“按键说话”和“退出”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="79"/>
        <source>This desktop has no system tray right now: closing the window quits Parla.</source>
        <translation>当前桌面没有系统托盘：关闭窗口将退出 Parla。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="86"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="88"/>
        <source>Largest side of sent pictures</source>
        <translation>发送图片的最长边</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="90"/>
        <source>Pictures sent in chat are scaled down so that their longest side is at most this long</source>
        <translation>聊天中发送的图片会被缩小，使其最长边不超过此长度</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="93"/>
        <source>Send the address (the model fetches the picture)</source>
        <translation>发送网址（由模型获取图片）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="94"/>
        <source>Download it first and send the picture itself</source>
        <translation>先下载，再发送图片本身</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="96"/>
        <source>Pictures from web pages</source>
        <translation>来自网页的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="97"/>
        <source>What happens to a picture dragged from a web page into a chat</source>
        <translation>从网页拖入聊天的图片如何处理</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="99"/>
        <source>Downloaded pictures are scaled and stripped of metadata like dropped files; some models cannot fetch addresses.</source>
        <translation>下载的图片会像拖入的文件一样缩放并去除元数据；有些模型无法获取网址。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="129"/>
        <source>Tool-call rounds per reply:</source>
        <translation>每条回复的工具调用轮数：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="106"/>
        <source>Rounds of tool calls per reply</source>
        <translation>每条回复的工具调用轮数</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="108"/>
        <source>With tools on, a reply stops after this many rounds of tool calls and offers Continue</source>
        <translation>启用工具时，回复在这么多轮工具调用后停止，并提供“继续”</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="111"/>
        <source>A round is one request in which the model asks for tools; Continue allows as many again.</source>
        <translation>一轮是模型请求使用工具的一次请求；“继续”会再允许同样多的轮数。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="116"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="118"/>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="120"/>
        <source>Text size:</source>
        <translation>文字大小：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="122"/>
        <source>System tray:</source>
        <translation>系统托盘：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="124"/>
        <source>Chat messages:</source>
        <translation>聊天消息：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="126"/>
        <source>Sent pictures at most:</source>
        <translation>发送图片最大尺寸：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/general_page.py" line="127"/>
        <source>Pictures from web pages:</source>
        <translation>来自网页的图片：</translation>
    </message>
</context>
<context>
    <name>GeneratePanel</name>
    <message>
        <location filename="../../app/ui/images/panels.py" line="299"/>
        <source>Describe the picture you want…</source>
        <translation>描述你想要的图片…</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="308"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
</context>
<context>
    <name>ImageActions</name>
    <message>
        <location filename="../../app/ui/images/actions.py" line="37"/>
        <source>Open</source>
        <extracomment>Actions that make sense for several selected pictures at once.</extracomment>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="38"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="39"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="40"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="41"/>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="42"/>
        <source>Use prompt again</source>
        <translation>再次使用提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="43"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="44"/>
        <source>Vary</source>
        <translation>变体</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="45"/>
        <source>Send to chat</source>
        <translation>发送到聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="51"/>
        <source>Open the picture in the viewer</source>
        <translation>在查看器中打开图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="52"/>
        <source>Save a copy of the picture somewhere else</source>
        <translation>把图片另存一份到别处</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="53"/>
        <source>Copy the picture to the clipboard</source>
        <translation>把图片复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="54"/>
        <source>Delete the picture (you can undo this)</source>
        <translation>删除图片（可以撤销）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="55"/>
        <source>Open the folder that holds the picture&apos;s file</source>
        <translation>打开存放这张图片文件的文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="56"/>
        <source>Put this prompt and its settings back into Generate</source>
        <translation>把这条提示词和它的设置放回“生成”</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="57"/>
        <source>Paint over part of the picture and describe the change</source>
        <translation>涂抹图片的一部分并描述修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="58"/>
        <source>Make variations of this picture</source>
        <translation>为这张图片生成变体</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/actions.py" line="59"/>
        <source>Attach the picture to the chat message you are writing</source>
        <translation>把图片附加到正在编写的聊天消息</translation>
    </message>
</context>
<context>
    <name>ImageNotes</name>
    <message>
        <location filename="../../app/ui/images/panels.py" line="68"/>
        <source>Converted from {format} to PNG.</source>
        <translation>已从 {format} 转换为 PNG。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="70"/>
        <source>Turned upright as the photo&apos;s orientation tag says.</source>
        <translation>已按照片的方向标记摆正。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="72"/>
        <source>Cropped to the centre square ({before} → {after}).</source>
        <translation>已裁剪为中间的正方形（{before} → {after}）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="75"/>
        <source>Padded to a square ({before} → {after}).</source>
        <translation>已补齐为正方形（{before} → {after}）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="78"/>
        <source>Scaled down from {before} to {after} to stay under the upload limit.</source>
        <translation>已从 {before} 缩小到 {after}，以免超过上传限制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="81"/>
        <source>Scaled down from {before} to {after}, the largest the model takes.</source>
        <translation>已从 {before} 缩小到 {after}，这是模型接受的最大尺寸。</translation>
    </message>
</context>
<context>
    <name>ImageOptions</name>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="39"/>
        <source>Server default</source>
        <extracomment>Longest prompt shown whole in the history menu.</extracomment>
        <translation>服务器默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="41"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="47"/>
        <source>square</source>
        <translation>正方形</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="49"/>
        <source>landscape</source>
        <translation>横向</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="51"/>
        <source>portrait</source>
        <translation>纵向</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="52"/>
        <source>{width} × {height} ({shape})</source>
        <translation>{width} × {height}（{shape}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="55"/>
        <source>Standard</source>
        <translation>标准</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="56"/>
        <source>HD</source>
        <translation>高清</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="57"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="58"/>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="59"/>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="60"/>
        <source>Vivid</source>
        <translation>鲜明</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="61"/>
        <source>Natural</source>
        <translation>自然</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="62"/>
        <source>Transparent</source>
        <translation>透明</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="63"/>
        <source>Opaque</source>
        <translation>不透明</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="67"/>
        <source>Link (downloaded at once)</source>
        <translation>链接（立即下载）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="68"/>
        <source>Inline (base64)</source>
        <translation>内嵌（base64）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="75"/>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="76"/>
        <source>Quality:</source>
        <translation>质量：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="77"/>
        <source>Style:</source>
        <translation>风格：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="78"/>
        <source>Background:</source>
        <translation>背景：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="79"/>
        <source>File format:</source>
        <translation>文件格式：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="80"/>
        <source>Results as:</source>
        <translation>结果形式：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="81"/>
        <source>Number:</source>
        <translation>数量：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="94"/>
        <source>Width × height of the pictures, in pixels</source>
        <translation>图片的宽 × 高（像素）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="95"/>
        <source>Higher quality takes longer and costs more</source>
        <translation>质量越高，耗时越长、费用越高</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="96"/>
        <source>Vivid is dramatic and saturated; natural is closer to a photograph</source>
        <translation>鲜明风格更戏剧化、色彩更饱和；自然风格更接近照片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="97"/>
        <source>Transparent needs PNG or WebP</source>
        <translation>透明背景需要 PNG 或 WebP 格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="98"/>
        <source>The file format the server returns</source>
        <translation>服务器返回的文件格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="99"/>
        <source>How the server hands the pictures over</source>
        <translation>服务器交付图片的方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="100"/>
        <source>How many pictures one request makes</source>
        <translation>一次请求生成的图片数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="101"/>
        <source>Sent to the server as “{name}”</source>
        <translation>以“{name}”发送给服务器</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="144"/>
        <source>Picture</source>
        <extracomment>Parameters worth showing under a picture, in this order (the rest are technical). The zoom changed: the factor (1.0 = one picture pixel per screen pixel), and whether it fits. Show the previous (-1) or next (+1) picture of the gallery. ``action`` (an :class:`ImageAction` value) for the picture shown.</extracomment>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="145"/>
        <source>Arrows: previous and next; + and −: zoom; F: fit; 1: real size; Esc: back</source>
        <translation>方向键：上一张和下一张；+ 和 −：缩放；F：适应窗口；1：实际大小；Esc：返回</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="150"/>
        <source>Back to gallery</source>
        <translation>返回图库</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="151"/>
        <source>Show the gallery again</source>
        <translation>回到图库</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="154"/>
        <source>Previous</source>
        <translation>上一张</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="155"/>
        <source>The previous picture of the gallery</source>
        <translation>图库中的上一张图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="158"/>
        <source>Next</source>
        <translation>下一张</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="159"/>
        <source>The next picture of the gallery</source>
        <translation>图库中的下一张图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="163"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="164"/>
        <source>Show the picture smaller</source>
        <translation>缩小显示图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="167"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="168"/>
        <source>Show the picture bigger</source>
        <translation>放大显示图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="171"/>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="172"/>
        <source>Fit the whole picture in the view</source>
        <translation>让整张图片适应视图</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="175"/>
        <source>100%</source>
        <translation>100%</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="176"/>
        <source>Show the picture at its real size, one pixel per pixel</source>
        <translation>按实际大小显示图片（一比一像素）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="193"/>
        <source>{tip} ({keys})</source>
        <translation>{tip}（{keys}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="219"/>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="220"/>
        <source>Copy, save, show in folder or delete the picture</source>
        <translation>复制、保存、在文件夹中显示或删除图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="221"/>
        <source>More actions</source>
        <translation>更多操作</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="258"/>
        <source>The picture&apos;s file is missing or damaged.</source>
        <translation>图片文件丢失或已损坏。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="272"/>
        <source>Generated</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="273"/>
        <source>Edited</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="274"/>
        <source>Variation</source>
        <translation>变体</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="279"/>
        <source>Prompt: {prompt}</source>
        <translation>提示词：{prompt}</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="281"/>
        <source>Revised by the model: {prompt}</source>
        <translation>模型改写为：{prompt}</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/viewer.py" line="291"/>
        <source>From: {name}</source>
        <translation>来源：{name}</translation>
    </message>
</context>
<context>
    <name>ImagesController</name>
    <message>
        <location filename="../../app/ui/images/controller.py" line="156"/>
        <source>The gallery could not be opened: {reason}</source>
        <extracomment>How long Undo is offered after a delete. The gallery could not be opened: the words to show. The first page of the gallery (or of a search) is in the model. Prompts used before, most recent first. Image model ids the server lists. Pictures were deleted (how many): offer Undo. Deleted pictures came back.</extracomment>
        <translation>无法打开图库：{reason}</translation>
    </message>
</context>
<context>
    <name>ImagesPage</name>
    <message>
        <location filename="../../app/ui/images/page.py" line="129"/>
        <source>&amp;Generate</source>
        <extracomment>&quot;Send to chat&quot; on a gallery picture: the path of its file, for the chat composer to attach. A request finished (the panel&apos;s operation value) — tests and the benchmark wait on it. How folders are opened (&quot;Show in folder&quot;); tests replace it.</extracomment>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="130"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="131"/>
        <source>Va&amp;riations</source>
        <translation>变体(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="132"/>
        <source>Make new pictures from a description (Alt+G)</source>
        <translation>根据描述生成新图片（Alt+G）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="133"/>
        <source>Change part of a picture: paint over it and describe the change (Alt+E)</source>
        <translation>修改图片的一部分：涂抹要改的区域并描述修改（Alt+E）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="134"/>
        <source>Make pictures like one you have (Alt+R)</source>
        <translation>生成与已有图片相似的图片（Alt+R）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="135"/>
        <source>What to do</source>
        <translation>操作类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="136"/>
        <source>Generate, edit or vary pictures</source>
        <translation>生成、编辑图片或生成变体</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="182"/>
        <source>Dropped picture</source>
        <translation>拖入的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="201"/>
        <source>Opening the gallery…</source>
        <translation>正在打开图库…</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="265"/>
        <source>Cancelled: the profile changed.</source>
        <translation>已取消：配置已切换。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="300"/>
        <source>Choose or type a model first.</source>
        <translation>请先选择或输入模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="302"/>
        <source>Write a prompt first.</source>
        <translation>请先写提示词。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="305"/>
        <source>Choose the picture to edit first.</source>
        <translation>请先选择要编辑的图片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="307"/>
        <source>This model edits one picture at a time: remove the others, or choose gpt-image-1.</source>
        <translation>这个模型一次只能编辑一张图片：请移除其他图片，或选择 gpt-image-1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="309"/>
        <source>Paint over the part to change first: dall-e-2 edits only the painted area.</source>
        <translation>请先涂抹要修改的部分：dall-e-2 只编辑涂抹过的区域。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="311"/>
        <source>Choose a picture first.</source>
        <translation>请先选择一张图片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="353"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="369"/>
        <source>1 picture added to the gallery in {seconds} s.</source>
        <translation>用时 {seconds} 秒，1 张图片已加入图库。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="371"/>
        <source>{count} pictures added to the gallery in {seconds} s.</source>
        <translation>用时 {seconds} 秒，{count} 张图片已加入图库。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="375"/>
        <source>{failed} of {total} could not be kept: {reason}</source>
        <translation>{total} 张中有 {failed} 张未能保存：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="383"/>
        <source>Choose a picture</source>
        <translation>选择图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="386"/>
        <location filename="../../app/ui/images/page.py" line="546"/>
        <source>Pictures ({patterns})</source>
        <translation>图片 ({patterns})</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="387"/>
        <location filename="../../app/ui/images/page.py" line="547"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="408"/>
        <source>Pasted picture</source>
        <translation>粘贴的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="413"/>
        <source>The clipboard holds no picture.</source>
        <translation>剪贴板里没有图片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="422"/>
        <source>{name}: {reason}</source>
        <translation>{name}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="467"/>
        <source>{size} MB</source>
        <translation>{size} MB</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="469"/>
        <source>{size} KB</source>
        <translation>{size} KB</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="470"/>
        <source>Sends a {width} × {height} PNG of {amount}.</source>
        <translation>将发送一张 {width} × {height}、{amount} 的 PNG。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="506"/>
        <source>The Chat tab cannot take pictures yet.</source>
        <translation>聊天页暂时还不能接收图片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="525"/>
        <source>Could not open the folder {path}.</source>
        <translation>无法打开文件夹 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="543"/>
        <source>Save picture as</source>
        <translation>图片另存为</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="562"/>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="580"/>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/page.py" line="581"/>
        <source>{count} pictures copied.</source>
        <translation>已复制 {count} 张图片。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="245"/>
        <source>Parla</source>
        <translation>Parla</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="246"/>
        <source>Parla tabs</source>
        <translation>Parla 标签页</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="247"/>
        <source>Tabs</source>
        <translation>标签页</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="181"/>
        <source>Chat, Images and Voice (Ctrl+1, Ctrl+2, Ctrl+3; Ctrl+Tab for the next)</source>
        <extracomment>The tab pages in order (Ctrl+1, Ctrl+2, Ctrl+3): a page class, or &quot;module:Class&quot; to import it on first use too. Each tab&apos;s issue replaces its own line. Optional page methods the window offers elsewhere (tray menu): (tab, method name). Quit was chosen (menu, Ctrl+Q or the tray); main.py ends the event loop. A tab&apos;s page was just built (its index). The window&apos;s first frame has been shown (its first expose handled); no page is built yet. Start-up is over: the first frame was shown and the current tab&apos;s page built (or failed).</extracomment>
        <translation>对话、图片和语音（Ctrl+1、Ctrl+2、Ctrl+3；Ctrl+Tab 切换到下一个）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="184"/>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="184"/>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="184"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="186"/>
        <source>Chat: conversations with any chat model (Ctrl+1)</source>
        <translation>对话：与任意聊天模型对话（Ctrl+1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="187"/>
        <source>Images: generate, edit and vary images (Ctrl+2)</source>
        <translation>图片：生成、编辑图片及生成变体（Ctrl+2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="188"/>
        <source>Voice: push-to-talk conversations and audio tools (Ctrl+3)</source>
        <translation>语音：按键说话的对话和音频工具（Ctrl+3）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="250"/>
        <source>Main menu</source>
        <translation>主菜单</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="265"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="266"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="269"/>
        <source>Profiles, tokens, language, theme, text size and tray</source>
        <translation>配置、令牌、语言、主题、文字大小和托盘</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="272"/>
        <source>&amp;Models…</source>
        <translation>模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="274"/>
        <source>The server&apos;s models, and which one Parla uses for what</source>
        <translation>服务器上的模型，以及 Parla 在各项功能中使用哪一个</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="278"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="281"/>
        <source>Stop every request and quit Parla</source>
        <translation>停止所有请求并退出 Parla</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="285"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="292"/>
        <source>Show the {tab} tab</source>
        <translation>显示“{tab}”标签页</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="297"/>
        <source>&amp;Larger text</source>
        <translation>放大文字(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="299"/>
        <source>Make all text one point larger</source>
        <translation>将所有文字放大一磅</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="301"/>
        <source>&amp;Smaller text</source>
        <translation>缩小文字(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="303"/>
        <source>Make all text one point smaller</source>
        <translation>将所有文字缩小一磅</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="305"/>
        <source>&amp;Default text size</source>
        <translation>默认文字大小(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="307"/>
        <source>Use the desktop&apos;s text size again</source>
        <translation>重新使用桌面的文字大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="312"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="313"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="315"/>
        <source>List every keyboard shortcut</source>
        <translation>列出所有键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="318"/>
        <source>&amp;About Parla</source>
        <translation>关于 Parla(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="320"/>
        <source>Version, license and the libraries Parla uses</source>
        <translation>版本、许可证以及 Parla 使用的库</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="350"/>
        <source>Run the current tab&apos;s main action (send, generate, speak)</source>
        <translation>执行当前标签页的主要操作（发送、生成、朗读）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="251"/>
        <source>Status bar</source>
        <translation>状态栏</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="371"/>
        <source>&amp;Show Parla</source>
        <translation>显示 Parla(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="372"/>
        <source>Bring the Parla window to the front</source>
        <translation>将 Parla 窗口置于最前</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="374"/>
        <source>&amp;New chat</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="375"/>
        <source>Show the window and start a new conversation</source>
        <translation>显示窗口并开始新的对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="377"/>
        <source>&amp;Push to talk</source>
        <translation>按键说话(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="378"/>
        <source>Show the window and start talking on the Voice tab</source>
        <translation>显示窗口并在“语音”标签页开始说话</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="565"/>
        <source>Everywhere</source>
        <translation>任何位置</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="593"/>
        <source>Next tab / previous tab</source>
        <translation>下一个/上一个标签页</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="603"/>
        <source>(undescribed shortcut)</source>
        <translation>（无说明的快捷键）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="833"/>
        <location filename="../../app/ui/main_window.py" line="840"/>
        <source>Text size: {size} pt</source>
        <translation>文字大小：{size} 磅</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="845"/>
        <source>Text size: the desktop&apos;s default</source>
        <translation>文字大小：桌面默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="916"/>
        <source>Parla is still running</source>
        <translation>Parla 仍在运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="917"/>
        <source>Parla keeps running in the tray. Choose Quit in its menu to end it.</source>
        <translation>Parla 会在托盘中继续运行。在托盘菜单中选择“退出”即可结束。</translation>
    </message>
</context>
<context>
    <name>MaskCanvas</name>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="94"/>
        <source>Mask painting area</source>
        <extracomment>The painted area changed (a stroke, clear, invert, undo, redo, or a new picture).</extracomment>
        <translation>蒙版绘制区域</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="174"/>
        <location filename="../../app/ui/images/mask_canvas.py" line="277"/>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="174"/>
        <location filename="../../app/ui/images/mask_canvas.py" line="277"/>
        <source>Paint</source>
        <translation>涂抹</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="181"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="191"/>
        <source>Invert</source>
        <translation>反选</translation>
    </message>
</context>
<context>
    <name>MaskEditor</name>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="336"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="339"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="337"/>
        <source>Paint the area to change</source>
        <translation>涂抹要修改的区域</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="340"/>
        <source>Take paint away</source>
        <translation>擦除涂抹</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="349"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="350"/>
        <source>Remove all paint</source>
        <translation>擦掉所有涂抹</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="353"/>
        <source>Invert</source>
        <translation>反选</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="354"/>
        <source>Paint what is not painted and clear what is</source>
        <translation>涂抹未涂抹的部分，擦掉已涂抹的部分</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="358"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="359"/>
        <source>Take back the last stroke</source>
        <translation>撤销上一笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="364"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="365"/>
        <source>Do again what Undo took back</source>
        <translation>重做被撤销的操作</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="370"/>
        <source>Show mask</source>
        <translation>显示蒙版</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="371"/>
        <source>Show the painted area over the picture</source>
        <translation>在图片上显示涂抹的区域</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="381"/>
        <source>Brush size</source>
        <translation>画笔大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="384"/>
        <location filename="../../app/ui/images/mask_canvas.py" line="448"/>
        <source>{size} px</source>
        <translation>{size} px</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="386"/>
        <source>Smaller brush</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="387"/>
        <source>Make the brush smaller</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="390"/>
        <source>Bigger brush</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="391"/>
        <source>Make the brush bigger</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="403"/>
        <source>Brush size ({smaller} smaller, {bigger} bigger)</source>
        <translation>画笔大小（{smaller} 缩小，{bigger} 放大）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="411"/>
        <source>Size:</source>
        <translation>大小：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/mask_canvas.py" line="469"/>
        <source>{tip} ({keys})</source>
        <translation>{tip}（{keys}）</translation>
    </message>
</context>
<context>
    <name>McpServerEditor</name>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="75"/>
        <source>The arguments have a quote that is not closed.</source>
        <translation>参数中有未闭合的引号。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="76"/>
        <source>The arguments end with a lone backslash.</source>
        <translation>参数以单独的反斜杠结尾。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="89"/>
        <source>Environment line {n}: write it as NAME=value.</source>
        <translation>环境变量第 {n} 行：请写成 名称=值 的形式。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="91"/>
        <source>Environment line {n}: the name {name} may only have letters, digits and _, and not start with a digit.</source>
        <translation>环境变量第 {n} 行：名称 {name} 只能包含字母、数字和 _，且不能以数字开头。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="96"/>
        <source>Environment line {n}: {name} is set twice.</source>
        <translation>环境变量第 {n} 行：{name} 设置了两次。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="190"/>
        <source>Edit MCP server</source>
        <translation>编辑 MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="190"/>
        <source>Add MCP server</source>
        <translation>添加 MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="195"/>
        <source>e.g. files</source>
        <translation>例如 files</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="196"/>
        <source>Server name</source>
        <translation>服务器名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="197"/>
        <source>A short name; the chat sees its tools as &lt;name&gt;__&lt;tool&gt;</source>
        <translation>简短的名称；聊天中其工具显示为 &lt;名称&gt;__&lt;工具&gt;</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="200"/>
        <source>e.g. npx, uvx or /path/to/server</source>
        <translation>例如 npx、uvx 或 /path/to/server</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="201"/>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="202"/>
        <source>The program that runs the server (found on PATH, or a full path)</source>
        <translation>运行服务器的程序（在 PATH 中查找，或填写完整路径）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="203"/>
        <location filename="../../app/ui/settings/mcp_page.py" line="228"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="204"/>
        <source>Choose the command</source>
        <translation>选择命令</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="205"/>
        <source>Choose the server&apos;s program file</source>
        <translation>选择服务器的程序文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="213"/>
        <source>e.g. -y @modelcontextprotocol/server-filesystem ~/Documents</source>
        <translation>例如 -y @modelcontextprotocol/server-filesystem ~/Documents</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="214"/>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="215"/>
        <source>Split like a shell does: quote an argument that has spaces</source>
        <translation>按 shell 的规则拆分：含空格的参数请加引号</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="218"/>
        <source>One per line: NAME=value</source>
        <translation>每行一个：名称=值</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="219"/>
        <source>Environment variables</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="220"/>
        <source>Extra environment variables for the server, one NAME=value per line</source>
        <translation>传给服务器的额外环境变量，每行一个 名称=值</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="225"/>
        <source>Parla&apos;s own (leave empty)</source>
        <translation>使用 Parla 自己的（留空）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="226"/>
        <source>Working folder</source>
        <translation>工作文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="227"/>
        <source>The folder the server runs in; empty for Parla&apos;s own</source>
        <translation>服务器运行时所在的文件夹；留空则使用 Parla 自己的</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="229"/>
        <location filename="../../app/ui/settings/mcp_page.py" line="349"/>
        <source>Choose the working folder</source>
        <translation>选择工作文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="230"/>
        <source>Choose the folder the server runs in</source>
        <translation>选择服务器运行时所在的文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="237"/>
        <source>Start it with Parla</source>
        <translation>随 Parla 一起启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="238"/>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="239"/>
        <source>When off, the server is kept here but only runs when you press Start</source>
        <translation>关闭时，服务器仍保留在此，但只在您按下“启动”时运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="324"/>
        <source>They are kept in Parla&apos;s settings folder (mcp_servers.json)</source>
        <translation>它们保存在 Parla 的设置文件夹中（mcp_servers.json）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="253"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="244"/>
        <source>Keep the values in the system keychain</source>
        <translation>将这些值保存在系统钥匙串中</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="245"/>
        <source>Keep the environment values in the keychain</source>
        <translation>将环境变量值保存在钥匙串中</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="247"/>
        <source>For API keys and passwords: the settings file then holds only the names of the variables</source>
        <translation>适用于 API 密钥和密码：设置文件中将只保存变量名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="261"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="262"/>
        <source>Command:</source>
        <translation>命令：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="263"/>
        <source>Arguments:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="264"/>
        <source>Environment:</source>
        <translation>环境变量：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="267"/>
        <source>Working folder:</source>
        <translation>工作文件夹：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="297"/>
        <source>Give the server a name.</source>
        <translation>请为服务器取一个名称。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="299"/>
        <source>There is already a server named {name}.</source>
        <translation>已有名为 {name} 的服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="302"/>
        <source>Enter the command that runs the server.</source>
        <translation>请输入运行服务器的命令。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="311"/>
        <source>The working folder does not exist.</source>
        <translation>工作文件夹不存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="320"/>
        <source>The values are kept in the system keychain and never logged.</source>
        <translation>这些值保存在系统钥匙串中，且绝不写入日志。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="321"/>
        <source>Parla&apos;s settings file keeps only the names of the variables</source>
        <translation>Parla 的设置文件只保存变量名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="323"/>
        <source>The values are stored readable only by you and never logged.</source>
        <translation>这些值保存为仅您本人可读，且绝不写入日志。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="341"/>
        <source>Choose the server&apos;s program</source>
        <translation>选择服务器的程序</translation>
    </message>
</context>
<context>
    <name>McpServersPage</name>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="103"/>
        <source>The command {command} was not found.</source>
        <translation>找不到命令 {command}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="105"/>
        <source>The command {command} cannot be run (permission denied).</source>
        <translation>无法运行命令 {command}（权限不足）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="107"/>
        <source>The server closed the connection.</source>
        <translation>服务器关闭了连接。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="109"/>
        <source>The server ended before it was ready.</source>
        <translation>服务器在就绪之前就结束了。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="111"/>
        <source>The server did not answer within {seconds} s.</source>
        <translation>服务器在 {seconds} 秒内没有响应。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="113"/>
        <source>The server process ended.</source>
        <translation>服务器进程已结束。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="115"/>
        <source>The working folder {folder} does not exist.</source>
        <translation>工作文件夹 {folder} 不存在。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="117"/>
        <source>Its environment values are not in the keychain: edit the server to enter them again.</source>
        <translation>它的环境变量值不在钥匙串中：请编辑该服务器，重新输入这些值。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="126"/>
        <source>Its environment values are in the keychain, which is locked: unlock it and press Start.</source>
        <translation>它的环境变量值保存在钥匙串中，而钥匙串已锁定：请解锁后按“启动”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="128"/>
        <source>Its environment values are in the keychain, but no keychain is available now.</source>
        <translation>它的环境变量值保存在钥匙串中，但现在没有可用的钥匙串。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="129"/>
        <source>Its environment values could not be read from the keychain.</source>
        <translation>无法从钥匙串读取它的环境变量值。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="145"/>
        <source>{reason} Its last message: {message}</source>
        <translation>{reason}它的最后一条消息：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="156"/>
        <source>Ready, 1 tool</source>
        <translation>就绪，1 个工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="158"/>
        <source>Ready, {count} tools</source>
        <translation>就绪，{count} 个工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="161"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="164"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="164"/>
        <source>Failed: {reason}</source>
        <translation>失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="167"/>
        <source>Exited</source>
        <translation>已退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="167"/>
        <source>Exited: {reason}</source>
        <translation>已退出：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="170"/>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="171"/>
        <source>Disabled: it is not started with Parla. Start runs it until Parla closes.</source>
        <translation>已停用：不随 Parla 启动。按“启动”可让它运行到 Parla 关闭为止。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="172"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="371"/>
        <source>MCP servers are programs that give the chat more tools. Changes on this page take effect at once.</source>
        <extracomment>The &quot;Remove?&quot; question while it is open.</extracomment>
        <translation>MCP 服务器是为聊天提供更多工具的程序。此页上的更改会立即生效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="377"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="377"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="380"/>
        <source>MCP servers</source>
        <translation>MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="381"/>
        <source>Your MCP servers and whether they are running</source>
        <translation>您的 MCP 服务器及其运行状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="387"/>
        <source>Server list columns</source>
        <translation>服务器列表的列</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="388"/>
        <location filename="../../app/ui/settings/mcp_page.py" line="458"/>
        <source>Drag the edge of a column to change its width</source>
        <translation>拖动列的边缘可调整列宽</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="392"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="393"/>
        <source>Add a server</source>
        <translation>添加服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="394"/>
        <source>Add an MCP server that runs on this computer</source>
        <translation>添加在本机上运行的 MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="396"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="397"/>
        <source>Edit the server</source>
        <translation>编辑服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="398"/>
        <source>Change the selected server&apos;s command, arguments or environment</source>
        <translation>修改所选服务器的命令、参数或环境变量</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="400"/>
        <location filename="../../app/ui/settings/mcp_page.py" line="737"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="401"/>
        <source>Remove the server</source>
        <translation>移除服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="402"/>
        <source>Stop the selected server and remove it from Parla</source>
        <translation>停止所选服务器并将其从 Parla 中移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="423"/>
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="427"/>
        <source>Server state</source>
        <translation>服务器状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="429"/>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="430"/>
        <source>Start the server</source>
        <translation>启动服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="431"/>
        <source>Run the selected server now</source>
        <translation>立即运行所选服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="433"/>
        <source>Restart</source>
        <translation>重新启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="434"/>
        <source>Restart the server</source>
        <translation>重新启动服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="435"/>
        <source>Stop the selected server and start it again</source>
        <translation>停止所选服务器并重新启动</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="437"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="438"/>
        <source>Stop the server</source>
        <translation>停止服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="439"/>
        <source>Stop the selected server; its tools leave the chat</source>
        <translation>停止所选服务器；它的工具将从聊天中移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="447"/>
        <source>Tools:</source>
        <translation>工具：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="450"/>
        <source>Tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="450"/>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="453"/>
        <source>Tools of the server</source>
        <translation>服务器的工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="454"/>
        <source>The tools this server offers to the chat (while it is ready)</source>
        <translation>此服务器（就绪时）向聊天提供的工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="457"/>
        <source>Tool list columns</source>
        <translation>工具列表的列</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="475"/>
        <source>No MCP servers yet. Press Add… to give the chat tools from one.</source>
        <translation>还没有 MCP 服务器。按“添加…”为聊天接入工具。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="495"/>
        <source>MCP page message</source>
        <translation>MCP 页面消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="508"/>
        <source>The saved list of MCP servers could not be read; it was kept as {file} and the list starts empty.</source>
        <translation>无法读取已保存的 MCP 服务器列表；原文件已保留为 {file}，列表从空开始。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="620"/>
        <source>{command}  (in {folder})</source>
        <translation>{command}  （在 {folder} 中）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="624"/>
        <source>{state} — {server}</source>
        <translation>{state} — {server}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="637"/>
        <source>In the chat: {name}</source>
        <translation>在聊天中：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="641"/>
        <source>This server offers no tools.</source>
        <translation>此服务器不提供任何工具。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="643"/>
        <source>Its tools are listed here while the server is ready.</source>
        <translation>服务器就绪时，这里会列出它的工具。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="666"/>
        <source>Reading the environment values from the keychain…</source>
        <translation>正在从钥匙串读取环境变量值…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="670"/>
        <source>{problem} The server can be edited once the keychain opens.</source>
        <translation>{problem}钥匙串打开后即可编辑该服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="712"/>
        <source>The server list changed meanwhile; nothing was changed. Try again.</source>
        <translation>服务器列表在此期间已变化，未做任何更改。请再试一次。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="717"/>
        <source>{problem} The environment values are used until Parla closes; edit the server again to store them.</source>
        <translation>{problem}这些环境变量值在 Parla 关闭前仍会使用；请再次编辑该服务器以保存它们。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="722"/>
        <source>The MCP server list could not be saved ({problem}); the change holds until Parla closes.</source>
        <translation>无法保存 MCP 服务器列表（{problem}）；此更改在 Parla 关闭前有效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="732"/>
        <source>Remove MCP server</source>
        <translation>移除 MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="733"/>
        <source>Stop {name} and remove it from Parla? Its tools leave the chat.</source>
        <translation>停止 {name} 并将其从 Parla 中移除吗？它的工具将从聊天中移除。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/mcp_page.py" line="757"/>
        <source>{problem} The server was removed, but its environment values are still in the keychain.</source>
        <translation>{problem}服务器已移除，但它的环境变量值仍留在钥匙串中。</translation>
    </message>
</context>
<context>
    <name>MessageImages</name>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="435"/>
        <source>Picture missing</source>
        <extracomment>A thumbnail was clicked: the picture&apos;s hash hash → (copy, bytes, type) for dragging out, made when the button goes down The last drag&apos;s data (what a drop would receive), for tests and diagnostics.</extracomment>
        <translation>图片缺失</translation>
    </message>
</context>
<context>
    <name>MessageListView</name>
    <message>
        <location filename="../../app/ui/chat/message_list.py" line="897"/>
        <source>Code copied to the clipboard.</source>
        <extracomment>(action, message id) from a message&apos;s buttons — see ``MessageAction`` A short note for the status bar (&quot;Code copied&quot;). A picture in a message was clicked: its hash Load picture on a picture sent by its address: (message id, address) Undo after deleting a message; the page puts it under the list (``addWidget``).</extracomment>
        <translation>代码已复制到剪贴板。</translation>
    </message>
</context>
<context>
    <name>MessageUndoBar</name>
    <message>
        <location filename="../../app/ui/chat/message_list.py" line="247"/>
        <source>Deleted message</source>
        <extracomment>Space between two messages, and around the list. Rows this far outside the viewport are built too, so a small scroll shows no blank. How close to the bottom (pixels) still counts as &quot;at the bottom&quot; (the list then follows). hash → the kept picture at inline size, or None while it loads (``ChatImageCache.inline_image``)</extracomment>
        <translation>已删除的消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_list.py" line="252"/>
        <location filename="../../app/ui/chat/message_list.py" line="260"/>
        <source>Undo the delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_list.py" line="258"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_list.py" line="261"/>
        <source>Bring the deleted message back where it was ({key} in the messages)</source>
        <translation>把删除的消息放回原处（在消息列表中按 {key}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_list.py" line="267"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_list.py" line="268"/>
        <source>Dismiss: the message is deleted for good now</source>
        <translation>关闭：消息将被永久删除</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="159"/>
        <location filename="../../app/ui/chat/message_widget.py" line="162"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="163"/>
        <source>Ask for this reply again</source>
        <translation>重新请求这条回复</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="164"/>
        <location filename="../../app/ui/chat/message_widget.py" line="166"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="167"/>
        <source>Let the model go on using tools, with another round limit</source>
        <translation>让模型继续使用工具，轮数限制重新计算</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="181"/>
        <location filename="../../app/ui/chat/message_widget.py" line="184"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="185"/>
        <source>Copy this message as Markdown or as plain text</source>
        <translation>以 Markdown 或纯文本复制此消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="187"/>
        <location filename="../../app/ui/chat/message_widget.py" line="383"/>
        <source>Copy as Markdown</source>
        <translation>复制为 Markdown</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="189"/>
        <source>Copy as Plain Text</source>
        <translation>复制为纯文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="192"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="193"/>
        <source>Change this message and send it again; the replies after it are replaced</source>
        <translation>修改此消息并重新发送；其后的回复将被替换</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="194"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="195"/>
        <source>Ask for a new reply in place of this one</source>
        <translation>重新请求一条回复来替换这一条</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="196"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="197"/>
        <source>Delete this message (Undo brings it back for a while)</source>
        <translation>删除此消息（短时间内可撤销恢复）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="315"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="315"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="339"/>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="454"/>
        <source>Keep the message as it was</source>
        <translation>保持消息原样</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="117"/>
        <location filename="../../app/ui/chat/message_widget.py" line="339"/>
        <source>Thinking</source>
        <extracomment>``finish_reason`` of a reply cut by the round limit of the tool loop (it offers Continue). Go on with the tool loop after the round limit stopped it. The lowest a row of thumbnails gets (a very wide picture stays easy to click). Horizontal room left of a user message: its bubble starts this far in (a share of the width). (action, message id) — see :class:`MessageAction` (message id, new text): Save &amp; Send in edit mode The Thinking section was opened or closed by the user: (message id, open) (document, href) from either document A picture of the message was clicked: its hash Load picture was clicked on a picture sent by its address: (message id, address)</extracomment>
        <translation>思考过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="118"/>
        <source>Show or hide how the model reasoned before answering</source>
        <translation>显示或隐藏模型在回答前的推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="351"/>
        <source>The reply failed.</source>
        <translation>回复失败。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="366"/>
        <source>Tokens: {prompt} prompt · {completion} completion</source>
        <translation>令牌：提示 {prompt} · 补全 {completion}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="383"/>
        <source>Copy Text</source>
        <translation>复制文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="413"/>
        <source>Waiting for the model… {seconds} s</source>
        <translation>正在等待模型… {seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="415"/>
        <source>Waiting for the model…</source>
        <translation>正在等待模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="417"/>
        <source>Interrupted — Parla closed before the reply finished.</source>
        <translation>已中断 — Parla 在回复完成前关闭了。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="417"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="419"/>
        <source>Cut short: the reply reached the token limit.</source>
        <translation>已截断：回复达到了令牌上限。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="421"/>
        <source>Cut short by the server&apos;s content filter.</source>
        <translation>已被服务器的内容过滤截断。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="442"/>
        <source>Edit message</source>
        <translation>编辑消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="443"/>
        <source>The new text of your message (Tab moves on to Save and Send)</source>
        <translation>消息的新文本（按 Tab 移到“保存并发送”）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="446"/>
        <location filename="../../app/ui/chat/message_widget.py" line="448"/>
        <source>Save and Send</source>
        <translation>保存并发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="449"/>
        <source>Send the changed message; the replies after it are replaced</source>
        <translation>发送修改后的消息；其后的回复将被替换</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="451"/>
        <location filename="../../app/ui/chat/message_widget.py" line="453"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ModelBox</name>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="117"/>
        <source>Model name</source>
        <extracomment>The model text settled (typed or picked).</extracomment>
        <translation>模型名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="118"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="119"/>
        <source>The image model: pick one the server lists, or type any name</source>
        <translation>图像模型：从服务器列出的模型中选择，或输入任意名称</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="118"/>
        <source>The model for this conversation. Type any model name; the list is what the server offers.</source>
        <extracomment>The user changed the model (typed, picked from the list or the completer); &quot;&quot; = default. The user pressed the refresh button: call ``load(client, refresh=True)``. A load finished (successfully or not); the argument is the hint shown (&quot;&quot; when none).</extracomment>
        <translation>此对话使用的模型。可输入任意模型名称；列表是服务器提供的模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="132"/>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="133"/>
        <source>Ask the server for its models again</source>
        <translation>重新向服务器获取模型列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="196"/>
        <source>Default ({model})</source>
        <translation>默认（{model}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="196"/>
        <source>Default model</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="250"/>
        <source>This server does not list its models — type a model name.</source>
        <translation>此服务器不提供模型列表——请输入模型名称。</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="253"/>
        <location filename="../../app/ui/widgets/model_picker.py" line="268"/>
        <source>Could not load the models: {reason}</source>
        <translation>无法加载模型列表：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="258"/>
        <source>The server lists no models — type a model name.</source>
        <translation>服务器没有列出任何模型——请输入模型名称。</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/model_picker.py" line="276"/>
        <source>Loading models…</source>
        <translation>正在加载模型…</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="172"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="177"/>
        <source>Filter by name or owner</source>
        <translation>按名称或所有者筛选</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="179"/>
        <source>Filter models</source>
        <translation>筛选模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="180"/>
        <source>Show only the models whose name or owner contains this text</source>
        <translation>只显示名称或所有者包含此文字的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="182"/>
        <source>&amp;Filter:</source>
        <translation>筛选(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="184"/>
        <source>&amp;Reload</source>
        <translation>重新加载(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="185"/>
        <source>Ask the server for its models again</source>
        <translation>重新向服务器获取模型列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="192"/>
        <source>Loading</source>
        <translation>正在加载</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="214"/>
        <source>Models of the server</source>
        <translation>服务器的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="215"/>
        <source>Select a model to see its details and make it a default; click a column to sort</source>
        <translation>选择一个模型以查看详细信息并设为默认；点击列标题排序</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="217"/>
        <source>Columns</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="218"/>
        <source>Click a column to sort by it</source>
        <translation>点击列标题按该列排序</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="225"/>
        <source>&amp;Details</source>
        <translation>详细信息(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="231"/>
        <source>Select a model to see what the server says about it.</source>
        <translation>选择一个模型，查看服务器提供的信息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="232"/>
        <source>Details of the selected model</source>
        <translation>所选模型的详细信息</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="233"/>
        <source>What the server says about the selected model (read-only)</source>
        <translation>服务器提供的所选模型信息（只读）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="249"/>
        <source>Use for chat</source>
        <translation>用于聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="250"/>
        <source>Use for images</source>
        <translation>用于图像</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="251"/>
        <source>Use for speech</source>
        <translation>用于语音合成</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="252"/>
        <source>Use for transcription</source>
        <translation>用于转写</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="253"/>
        <source>Use for embeddings</source>
        <translation>用于嵌入</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="270"/>
        <source>Close this window (Esc)</source>
        <translation>关闭此窗口 (Esc)</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="380"/>
        <source>This server does not list its models.</source>
        <translation>此服务器不提供模型列表。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="384"/>
        <source>Could not load the models: {reason}</source>
        <translation>无法加载模型：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="388"/>
        <source>Models on this server: {count}</source>
        <translation>此服务器上的模型：{count} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="390"/>
        <source>The server lists no models.</source>
        <translation>服务器没有列出任何模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="395"/>
        <source>Loading the details of “{model}”…</source>
        <translation>正在加载“{model}”的详细信息…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="428"/>
        <source>“{model}” is now the chat model of the profile “{profile}”.</source>
        <translation>“{model}”现在是配置“{profile}”的聊天模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="429"/>
        <source>“{model}” is now the image model of the profile “{profile}”.</source>
        <translation>“{model}”现在是配置“{profile}”的图像模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="430"/>
        <source>“{model}” is now the speech model of the profile “{profile}”.</source>
        <translation>“{model}”现在是配置“{profile}”的语音合成模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="431"/>
        <source>“{model}” is now the transcription model of the profile “{profile}”.</source>
        <translation>“{model}”现在是配置“{profile}”的转写模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="432"/>
        <source>“{model}” is now the embedding model of the profile “{profile}”.</source>
        <translation>“{model}”现在是配置“{profile}”的嵌入模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="449"/>
        <source>Loading the models…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="470"/>
        <source>Save the selected model as the profile&apos;s default for this; the current one is {model}</source>
        <translation>将所选模型保存为此配置在这方面的默认模型；当前为 {model}</translation>
    </message>
</context>
<context>
    <name>ModelsTableModel</name>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="127"/>
        <source>Model</source>
        <extracomment>The value a column sorts by (the creation time as a number, not its text). The model&apos;s id, whatever the column.</extracomment>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="127"/>
        <source>Owner</source>
        <translation>所有者</translation>
    </message>
    <message>
        <location filename="../../app/ui/models_dialog.py" line="127"/>
        <source>Created</source>
        <translation>创建日期</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <location filename="../../app/ui/notify.py" line="115"/>
        <source>The details were written to {path}.</source>
        <extracomment>text, how long to show it (ms; 0 = until replaced) text, level (a :class:`Level` value) summary, details (traceback, already redacted) — internal: queued to the GUI thread</extracomment>
        <translation>详细信息已写入 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/notify.py" line="117"/>
        <source>Problems that happened since: {count} — see the log.</source>
        <translation>此后又发生了 {count} 个问题 — 请查看日志。</translation>
    </message>
</context>
<context>
    <name>OptionsForm</name>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="260"/>
        <source>Number of pictures</source>
        <translation>图片数量</translation>
    </message>
</context>
<context>
    <name>PathEdit</name>
    <message>
        <location filename="../../app/ui/widgets/path_edit.py" line="23"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/path_edit.py" line="24"/>
        <source>Pick the file in a file dialog</source>
        <translation>在文件对话框中选择文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/path_edit.py" line="40"/>
        <source>Browse for: {name}</source>
        <translation>浏览：{name}</translation>
    </message>
</context>
<context>
    <name>PresetManagerDialog</name>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="361"/>
        <location filename="../../app/ui/chat/settings_panel.py" line="496"/>
        <source>Presets</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="371"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="373"/>
        <location filename="../../app/ui/chat/settings_panel.py" line="474"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="408"/>
        <source>{name} (built-in)</source>
        <translation>{name}（内置）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="426"/>
        <source>(no system prompt)</source>
        <translation>（无系统提示词）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="432"/>
        <source>Built-in presets cannot be renamed or deleted.</source>
        <translation>内置预设不能重命名或删除。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="441"/>
        <source>Rename preset</source>
        <translation>重命名预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="469"/>
        <source>Delete preset</source>
        <translation>删除预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="470"/>
        <source>Delete the preset “{name}”? Conversations that use its settings keep them.</source>
        <translation>删除预设“{name}”？使用其设置的对话会保留这些设置。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="494"/>
        <source>The presets could not be saved: {reason}</source>
        <translation>无法保存预设：{reason}</translation>
    </message>
</context>
<context>
    <name>PresetNameDialog</name>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="303"/>
        <source>Preset name</source>
        <translation>预设名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="313"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="337"/>
        <source>A built-in preset has this name — choose another.</source>
        <translation>已有同名的内置预设——请换一个名称。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="340"/>
        <source>A preset with this name exists: saving replaces it.</source>
        <translation>已有同名预设：保存将替换它。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="342"/>
        <source>Another preset has this name — choose another.</source>
        <translation>已有其他预设使用此名称——请换一个名称。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="347"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="349"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/settings_panel.py" line="349"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
</context>
<context>
    <name>ProfileSwitcher</name>
    <message>
        <location filename="../../app/ui/status_bar.py" line="56"/>
        <source>Manage profiles…</source>
        <translation>管理配置…</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="60"/>
        <source>Active profile: {name}</source>
        <translation>当前配置：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="62"/>
        <source>Active profile: {name} ({url}) — click to switch</source>
        <translation>当前配置：{name}（{url}）— 点击切换</translation>
    </message>
</context>
<context>
    <name>ProfilesPage</name>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="119"/>
        <source>Profiles</source>
        <extracomment>The keychain check and the token reads finished (tests and the dialog wait for it). A &quot;Test connection&quot; finished; the argument is the sentence shown. &quot;Load models&quot; finished; the argument is the sentence shown.</extracomment>
        <translation>配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="121"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="123"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="125"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="127"/>
        <source>Make active</source>
        <translation>设为当前</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="148"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="895"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="175"/>
        <source>Default models</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="927"/>
        <source>Load models</source>
        <translation>加载模型列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="220"/>
        <source>Ask the server for its models (GET /models) to choose from</source>
        <translation>向服务器查询可用模型（GET /models）以供选择</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="228"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="233"/>
        <location filename="../../app/ui/settings/profiles_page.py" line="239"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="234"/>
        <source>How long to wait for the next bytes of an answer; large models can be slow to start</source>
        <translation>等待回复中下一段数据的最长时间；大型模型可能需要较长时间才开始回复</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="243"/>
        <source>System settings</source>
        <translation>系统设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="244"/>
        <source>No proxy</source>
        <translation>不使用代理</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="245"/>
        <source>Custom proxy</source>
        <translation>自定义代理</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="256"/>
        <source>Choose a CA bundle</source>
        <translation>选择 CA 证书包</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="256"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="258"/>
        <source>System certificates</source>
        <translation>系统证书</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="314"/>
        <source>The system keychain cannot be used</source>
        <translation>无法使用系统密钥环</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="322"/>
        <source>Parla keeps tokens only in the system keychain, never in a file. To store them, install and unlock a Secret Service keychain — GNOME Keyring (package gnome-keyring) or KDE Wallet — then press Check again. keyrings.alt is not recommended: it keeps tokens in plain text.</source>
        <translation>Parla 只把令牌保存在系统密钥环中，从不写入文件。要保存令牌，请安装并解锁一个 Secret Service 密钥环 — GNOME Keyring（软件包 gnome-keyring）或 KDE 钱包 — 然后点击“重新检查”。不建议使用 keyrings.alt：它以明文保存令牌。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="327"/>
        <source>Keep tokens for this session only (forgotten when Parla quits)</source>
        <translation>仅在本次会话中保留令牌（退出 Parla 后即遗忘）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="329"/>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="415"/>
        <source>The token was not saved. Make the keychain available, or keep the token for this session only.</source>
        <translation>令牌未保存。请让密钥环可用，或仅在本次会话中保留令牌。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="528"/>
        <source>(unnamed)</source>
        <translation>（未命名）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="530"/>
        <source>{name} (active)</source>
        <translation>{name}（当前）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="580"/>
        <source>New profile</source>
        <translation>新配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="596"/>
        <source>{name} (copy)</source>
        <translation>{name}（副本）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="750"/>
        <source>OPENAI_BASE_URL is set: for this run the active profile “{name}” uses {url} instead of its base URL.</source>
        <translation>已设置 OPENAI_BASE_URL：本次运行中，当前配置“{name}”使用 {url}，而不是自己的基础 URL。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="756"/>
        <source>OPENAI_API_KEY is set: for this run the active profile “{name}” uses it instead of its token.</source>
        <translation>已设置 OPENAI_API_KEY：本次运行中，当前配置“{name}”使用它代替自己的令牌。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="761"/>
        <source>Values from the environment are never saved.</source>
        <translation>来自环境变量的值永远不会被保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="775"/>
        <source>The keychain cannot store it: tick “Keep tokens for this session only” to use it.</source>
        <translation>密钥环无法保存它：勾选“仅在本次会话中保留令牌”即可使用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="777"/>
        <source>Will be stored in the system keychain when you press OK or Apply.</source>
        <translation>按下“确定”或“应用”后将保存到系统密钥环。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="773"/>
        <source>Will be kept for this session only when you press OK or Apply.</source>
        <translation>按下“确定”或“应用”后将仅在本次会话中保留。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="153"/>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="157"/>
        <source>Base &amp;URL:</source>
        <translation>基础 URL(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="160"/>
        <source>&amp;Token:</source>
        <translation>令牌(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="166"/>
        <source>Test &amp;connection</source>
        <translation>测试连接(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="180"/>
        <source>C&amp;hat:</source>
        <translation>聊天(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="181"/>
        <source>&amp;Images:</source>
        <translation>图像(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="182"/>
        <source>&amp;Speech:</source>
        <translation>语音合成(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="183"/>
        <source>T&amp;ranscription:</source>
        <translation>语音转写(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="184"/>
        <source>&amp;Embeddings:</source>
        <translation>嵌入(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="187"/>
        <source>Chat model</source>
        <translation>聊天模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="188"/>
        <source>Image model</source>
        <translation>图像模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="189"/>
        <source>Speech model</source>
        <translation>语音合成模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="190"/>
        <source>Transcription model</source>
        <translation>语音转写模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="191"/>
        <source>Embedding model</source>
        <translation>嵌入模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="194"/>
        <source>The model the Chat tab starts with</source>
        <translation>“聊天”标签页默认使用的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="195"/>
        <source>The model the Images tab starts with</source>
        <translation>“图像”标签页默认使用的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="196"/>
        <source>The model that reads text aloud</source>
        <translation>朗读文本的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="197"/>
        <source>The model that turns speech into text</source>
        <translation>把语音转成文字的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="198"/>
        <source>The model used for semantic search</source>
        <translation>用于语义搜索的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="215"/>
        <source>pick one of Load models&apos; list or type a name</source>
        <translation>从“加载模型列表”的结果中选择，或输入名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="219"/>
        <source>&amp;Load models</source>
        <translation>加载模型列表(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="236"/>
        <source>Request ti&amp;meout:</source>
        <translation>请求超时(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="241"/>
        <source>C&amp;onnect timeout:</source>
        <translation>连接超时(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="247"/>
        <source>&amp;Proxy:</source>
        <translation>代理(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="251"/>
        <source>Pro&amp;xy URL:</source>
        <translation>代理 URL(&amp;X)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="252"/>
        <source>&amp;Verify TLS certificates</source>
        <translation>验证 TLS 证书(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="260"/>
        <source>C&amp;A bundle:</source>
        <translation>CA 证书包(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="285"/>
        <source>Your servers; the active one is what the tabs use</source>
        <translation>你的服务器；各标签页使用当前启用的那个</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="286"/>
        <source>Add a new profile</source>
        <translation>添加新的配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="287"/>
        <source>Copy the selected profile (its token too)</source>
        <translation>复制选中的配置（包括令牌）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="288"/>
        <source>Delete the selected profile and its token</source>
        <translation>删除选中的配置及其令牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="289"/>
        <source>Use the selected profile from now on</source>
        <translation>从现在起使用选中的配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="290"/>
        <source>Profile name</source>
        <translation>配置名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="290"/>
        <source>What the profile is called in menus and the status bar</source>
        <translation>配置在菜单和状态栏中显示的名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="291"/>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="292"/>
        <source>The API address, ending in /v1 for OpenAI-compatible servers</source>
        <translation>API 地址；OpenAI 兼容服务器以 /v1 结尾</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="293"/>
        <source>Check that the server answers and takes the token</source>
        <translation>检查服务器是否响应并接受令牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="294"/>
        <source>Request timeout</source>
        <translation>请求超时</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="295"/>
        <source>Connect timeout</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="296"/>
        <source>How long to wait for the server to accept the connection</source>
        <translation>等待服务器接受连接的最长时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="297"/>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="297"/>
        <source>Whether requests go through a proxy</source>
        <translation>请求是否经过代理</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="298"/>
        <source>Proxy URL</source>
        <translation>代理 URL</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="298"/>
        <source>The proxy&apos;s address: http://, https:// or socks5://</source>
        <translation>代理地址：http://、https:// 或 socks5://</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="299"/>
        <source>Turn off only for a server with a self-signed certificate you trust</source>
        <translation>仅在服务器使用你信任的自签名证书时才关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="300"/>
        <source>The token is kept in memory and asked for again next time</source>
        <translation>令牌只保存在内存中，下次启动时需要重新输入</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="301"/>
        <source>Look for a usable keychain again</source>
        <translation>重新查找可用的钥匙串</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="307"/>
        <source>CA bundle</source>
        <translation>CA 证书包</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="308"/>
        <source>A file of certificates to trust instead of the system&apos;s (PEM)</source>
        <translation>用来代替系统证书的受信任证书文件（PEM）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="779"/>
        <source>The token will be removed when you press OK or Apply.</source>
        <translation>按下“确定”或“应用”后将删除该令牌。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="783"/>
        <source>Stored in the system keychain.</source>
        <translation>已保存在系统密钥环中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="785"/>
        <source>Kept for this session only — forgotten when Parla quits.</source>
        <translation>仅在本次会话中保留 — 退出 Parla 后即遗忘。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="787"/>
        <source>The keychain could not be read.</source>
        <translation>无法读取密钥环。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="789"/>
        <source>Reading the keychain…</source>
        <translation>正在读取密钥环…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="791"/>
        <source>No token stored.</source>
        <translation>未保存令牌。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="793"/>
        <source>OPENAI_API_KEY from the environment is used instead for this run.</source>
        <translation>本次运行改用环境变量中的 OPENAI_API_KEY。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="880"/>
        <source>Cancel test</source>
        <translation>取消测试</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="881"/>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="888"/>
        <source>Test cancelled.</source>
        <translation>测试已取消。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="892"/>
        <source>Connected — 1 model</source>
        <translation>已连接 — 1 个模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="892"/>
        <source>Connected — {count} models</source>
        <translation>已连接 — {count} 个模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="910"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="911"/>
        <source>Loading models…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="916"/>
        <source>This server does not list its models — type the model names.</source>
        <translation>此服务器不提供模型列表 — 请直接输入模型名称。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="920"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="925"/>
        <source>Loaded 1 model.</source>
        <translation>已加载 1 个模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/profiles_page.py" line="925"/>
        <source>Loaded {count} models.</source>
        <translation>已加载 {count} 个模型。</translation>
    </message>
</context>
<context>
    <name>PromptBox</name>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="164"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="165"/>
        <source>Describe the picture; Ctrl+Enter sends the request</source>
        <translation>描述图片；按 Ctrl+Enter 发送请求</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="171"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="172"/>
        <source>Prompts you used before</source>
        <translation>你用过的提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="173"/>
        <source>Prompt history</source>
        <translation>提示词历史</translation>
    </message>
</context>
<context>
    <name>RequestPanel</name>
    <message>
        <location filename="../../app/ui/images/panels.py" line="120"/>
        <source>&amp;Model:</source>
        <extracomment>The model&apos;s family changed (the page refreshes what depends on it).</extracomment>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="219"/>
        <source>This model cannot edit pictures on OpenAI&apos;s servers — dall-e-2 or gpt-image-1 can. Another server may still accept it.</source>
        <translation>在 OpenAI 的服务器上这个模型不能编辑图片——dall-e-2 或 gpt-image-1 可以。其他服务器也许仍然接受。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="221"/>
        <source>Only dall-e-2 makes variations on OpenAI&apos;s servers. Another server may still accept this model.</source>
        <translation>在 OpenAI 的服务器上只有 dall-e-2 能生成变体。其他服务器也许仍然接受这个模型。</translation>
    </message>
</context>
<context>
    <name>RunBar</name>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="374"/>
        <source>Send the request (Ctrl+Enter)</source>
        <translation>发送请求（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="375"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="377"/>
        <source>Stop the request</source>
        <translation>停止请求</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/widgets.py" line="424"/>
        <source>Working… {seconds} s</source>
        <translation>处理中… {seconds} 秒</translation>
    </message>
</context>
<context>
    <name>SecretEdit</name>
    <message>
        <location filename="../../app/ui/widgets/secret_edit.py" line="24"/>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/secret_edit.py" line="25"/>
        <source>The API key the server expects; shown as dots until you press Show</source>
        <translation>服务器要求的 API 密钥；按“显示”之前以圆点显示</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/secret_edit.py" line="29"/>
        <location filename="../../app/ui/widgets/secret_edit.py" line="62"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/secret_edit.py" line="30"/>
        <source>Show or hide the token</source>
        <translation>显示或隐藏令牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/secret_edit.py" line="31"/>
        <source>Show the token</source>
        <translation>显示令牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/widgets/secret_edit.py" line="62"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>SegmentsModel</name>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="145"/>
        <source>Start</source>
        <extracomment>response_format → file suffix for Save. Formats Speak text can save (asked from /audio/speech as they are). /audio/speech takes at most this many characters per request. The voices OpenAI&apos;s speech models offer; the list is editable (other servers name theirs). Files the transcription endpoint reads (audio, and video whose sound track it extracts).</extracomment>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="145"/>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="145"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
</context>
<context>
    <name>SemanticSearch</name>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="249"/>
        <source>Showing word matches only: {reason}</source>
        <extracomment>After the history changed, indexing starts again this much later (several changes, one pass). The vectors&apos; copy in memory (6 KB a message at 1,536 dimensions: ~600 MB for 100,000) is let go after this long without a search by meaning; the next focus of the search box reads it again. Errors that retrying cannot fix: indexing pauses until the user resumes. the indexing line changed (tests and the page may listen) (model, messages, characters) waiting for the user&apos;s go-ahead after a change of model</extracomment>
        <translation>仅显示按词语匹配的结果：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="298"/>
        <source>Indexing by meaning stopped: {reason}</source>
        <translation>按含义建立索引已停止：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="300"/>
        <source>Indexing by meaning failed: {reason} Trying again in {seconds} s.</source>
        <translation>按含义建立索引失败：{reason} {seconds} 秒后重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="321"/>
        <source>Not indexed with “{model}” yet: {messages} messages to send.</source>
        <translation>尚未用“{model}”建立索引：需要发送 {messages} 条消息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="324"/>
        <source>Start…</source>
        <translation>开始…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="325"/>
        <source>Index the history with this profile&apos;s embedding model (asks first)</source>
        <translation>用此配置的嵌入模型为历史记录建立索引（会先询问）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="329"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="330"/>
        <source>Pause indexing by meaning (what is indexed stays)</source>
        <translation>暂停按含义建立索引（已建立的索引会保留）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="331"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="332"/>
        <source>Go on indexing by meaning</source>
        <translation>继续按含义建立索引</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="338"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="338"/>
        <source>Try indexing by meaning again</source>
        <translation>重新尝试按含义建立索引</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="342"/>
        <source>Indexing by meaning paused: {done} of {total}</source>
        <translation>按含义建立索引已暂停：{done} / {total}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="345"/>
        <source>Indexing by meaning…</source>
        <translation>正在按含义建立索引…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="346"/>
        <source>Indexing by meaning: {done} of {total}</source>
        <translation>正在按含义建立索引：{done} / {total}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="416"/>
        <source>Search by meaning</source>
        <translation>按含义搜索</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="417"/>
        <source>Turn on search by meaning?</source>
        <translation>要开启按含义搜索吗？</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="421"/>
        <source>Every message of your history — {messages} messages, about {characters} characters — will be sent to the embedding model “{model}” of the profile “{profile}”, and so will each new message and each search. This costs tokens: roughly {tokens} for the history.

Indexing runs in the background; you can pause it at any time.</source>
        <translation>历史记录中的每条消息（共 {messages} 条，约 {characters} 个字符）都会发送到配置“{profile}”的嵌入模型“{model}”，之后的每条新消息和每次搜索也是如此。这会消耗令牌：历史记录大约需要 {tokens} 个。

索引在后台进行，你可以随时暂停。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="433"/>
        <source>Turn on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="435"/>
        <source>Index the history with this model and search by meaning</source>
        <translation>用此模型为历史记录建立索引，并按含义搜索</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="437"/>
        <source>Keep searching by words only</source>
        <translation>继续只按词语搜索</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/semantic_search.py" line="439"/>
        <source>Turn on search by meaning</source>
        <translation>开启按含义搜索</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="59"/>
        <source>Settings</source>
        <extracomment>Settings were stored (profiles, tokens and preferences).</extracomment>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="65"/>
        <source>Profiles</source>
        <translation>配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="66"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="68"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="74"/>
        <source>MCP servers</source>
        <translation>MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="153"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="172"/>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/dialog.py" line="174"/>
        <source>The new language takes effect the next time Parla starts.</source>
        <translation>新的语言将在下次启动 Parla 时生效。</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="34"/>
        <location filename="../../app/ui/shortcuts_dialog.py" line="50"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="37"/>
        <source>Everything in Parla can be reached from the keyboard. Tab and Shift+Tab move between controls; Alt and an underlined letter jumps to that field or inner tab.</source>
        <translation>Parla 的所有功能都可以用键盘操作。Tab 和 Shift+Tab 在控件之间移动；Alt 加带下划线的字母可直接跳到对应的输入框或内部标签页。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="46"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="46"/>
        <source>Shortcut</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="51"/>
        <source>Every keyboard shortcut, grouped by where it works</source>
        <translation>所有键盘快捷键，按生效位置分组</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="53"/>
        <source>Columns</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="54"/>
        <source>Action, and the keys that do it</source>
        <translation>操作及对应的按键</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts_dialog.py" line="77"/>
        <source>Close this list (Esc)</source>
        <translation>关闭此列表（Esc）</translation>
    </message>
</context>
<context>
    <name>SourcePanel</name>
    <message>
        <location filename="../../app/ui/images/panels.py" line="359"/>
        <source>Open…</source>
        <extracomment>The pictures changed (the page refreshes previews).</extracomment>
        <translation>打开…</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="361"/>
        <source>Choose a picture file</source>
        <translation>选择图片文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="363"/>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="365"/>
        <source>Use the picture on the clipboard</source>
        <translation>使用剪贴板里的图片</translation>
    </message>
</context>
<context>
    <name>SpeakTool</name>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="536"/>
        <source>Type or paste the text to speak.</source>
        <translation>输入或粘贴要朗读的文本。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="549"/>
        <location filename="../../app/ui/voice/tools.py" line="590"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="551"/>
        <location filename="../../app/ui/voice/tools.py" line="591"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="556"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="565"/>
        <source>Vo&amp;ice:</source>
        <translation>音色(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="567"/>
        <source>Spee&amp;d:</source>
        <translation>语速(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="575"/>
        <source>F&amp;ormat:</source>
        <translation>格式(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="587"/>
        <source>Text to speak</source>
        <translation>要朗读的文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="587"/>
        <source>Type or paste the text; Ctrl+Enter plays it</source>
        <translation>输入或粘贴文本；按 Ctrl+Enter 朗读</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="588"/>
        <source>Voice</source>
        <translation>音色</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="588"/>
        <source>The voice that speaks; pick one or type a name the server knows</source>
        <translation>朗读使用的音色；从列表中选择，或输入服务器支持的名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="589"/>
        <source>Speed</source>
        <translation>语速</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="589"/>
        <source>How fast the voice speaks: 1× is normal</source>
        <translation>朗读的快慢：1× 为正常语速</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="590"/>
        <source>Speak the text now (Ctrl+Enter)</source>
        <translation>立即朗读文本（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="591"/>
        <source>Stop speaking</source>
        <translation>停止朗读</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="592"/>
        <source>File format</source>
        <translation>文件格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="592"/>
        <source>The audio format Save as… writes</source>
        <translation>“另存为…”写入的音频格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="593"/>
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="593"/>
        <source>Have the text spoken into an audio file</source>
        <translation>把朗读的文本保存为音频文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="681"/>
        <source>Speaking…</source>
        <translation>正在朗读…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="705"/>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="705"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="713"/>
        <source>Speech can be saved for up to {limit} characters at a time — this text has {count}. Save it in parts, or use Play to hear all of it.</source>
        <translation>每次最多只能保存 {limit} 个字符的语音——这段文本有 {count} 个字符。请分段保存，或用“播放”收听全文。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="720"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="735"/>
        <source>Saved to {path}.</source>
        <translation>已保存到 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="747"/>
        <source>{count} characters</source>
        <translation>{count} 个字符</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="757"/>
        <source>Save the speech</source>
        <translation>保存语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="758"/>
        <source>{format} audio (*.{suffix});;All files (*)</source>
        <translation>{format} 音频 (*.{suffix});;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ToolCallCard</name>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="327"/>
        <source>Arguments</source>
        <extracomment>(call id, open)</extracomment>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="328"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="373"/>
        <source>Tool: {name}</source>
        <translation>工具：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="374"/>
        <source>Tool call {name}</source>
        <translation>工具调用 {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="376"/>
        <source>{name} ({source}) — click to show the arguments and the result</source>
        <translation>{name}（{source}）— 点击显示参数和结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="384"/>
        <source>{ms} ms</source>
        <translation>{ms} 毫秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="386"/>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="387"/>
        <source>{status} · {took}</source>
        <translation>{status} · {took}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="390"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="393"/>
        <source>… ({count} characters in all)</source>
        <translation>…（共 {count} 个字符）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="396"/>
        <source>(not run: the reply reached the round limit; Continue lets the model go on)</source>
        <translation>（未运行：回复已达到轮数上限；点击“继续”可让模型接着进行）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="398"/>
        <source>(waiting for the tool)</source>
        <translation>（等待工具完成）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="398"/>
        <source>(nothing)</source>
        <translation>（空）</translation>
    </message>
</context>
<context>
    <name>ToolCardsView</name>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="431"/>
        <source>Unavailable tools</source>
        <extracomment>A card was opened or closed: the message&apos;s height changed.</extracomment>
        <translation>不可用的工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="432"/>
        <source>Tools chosen for this conversation that this reply could not offer</source>
        <translation>此对话已选择、但这条回复无法提供的工具</translation>
    </message>
</context>
<context>
    <name>ToolConfirmDialog</name>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="466"/>
        <location filename="../../app/ui/chat/tool_cards.py" line="467"/>
        <source>Run a tool?</source>
        <translation>运行工具？</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="468"/>
        <source>The model wants to use “{name}”.</source>
        <translation>模型想要使用“{name}”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="474"/>
        <source>{source} · {name}</source>
        <translation>{source} · {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="487"/>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="488"/>
        <source>What the model asks the tool to do, as it wrote it</source>
        <translation>模型要求工具执行的内容（原样显示）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="492"/>
        <location filename="../../app/ui/chat/tool_cards.py" line="495"/>
        <source>Allow once</source>
        <translation>允许一次</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="494"/>
        <source>Run the tool this time; ask again next time</source>
        <translation>这次运行该工具；下次仍会询问</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="496"/>
        <location filename="../../app/ui/chat/tool_cards.py" line="499"/>
        <source>Allow for this conversation</source>
        <translation>在此对话中允许</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="498"/>
        <source>Run this tool without asking again in this conversation</source>
        <translation>在此对话中运行该工具时不再询问</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="500"/>
        <location filename="../../app/ui/chat/tool_cards.py" line="503"/>
        <source>Deny</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="502"/>
        <source>Do not run it: the model is told you declined</source>
        <translation>不运行：会告诉模型你拒绝了</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="519"/>
        <source>Arguments:</source>
        <translation>参数：</translation>
    </message>
</context>
<context>
    <name>ToolTexts</name>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="104"/>
        <source>Current date and time</source>
        <extracomment>Waiting for the user&apos;s answer in the confirmation (shown while asking; never stored as such). Asked for in the round that reached the limit: not run (Continue asks the model again). The built-in tools, in the order the settings panel lists them. A result longer than this is cut in the card (the model got all of it).</extracomment>
        <translation>当前日期和时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="105"/>
        <source>Tells the model today&apos;s date, the time, the weekday and your time zone.</source>
        <translation>告诉模型今天的日期、时间、星期几和你的时区。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="108"/>
        <source>Calculator</source>
        <translation>计算器</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="109"/>
        <source>Exact arithmetic: + − × ÷, powers, square roots, logarithms, trigonometry.</source>
        <translation>精确计算：加减乘除、乘方、平方根、对数、三角函数。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="112"/>
        <source>Image generation</source>
        <translation>图像生成</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="113"/>
        <source>Makes a picture with the profile&apos;s image model; it is shown in the reply and kept in the Images tab. Costs money: Parla asks you first.</source>
        <translation>用配置的图像模型生成图片；图片显示在回复中，并保存在“图像”标签页。会产生费用：Parla 会先征求你的同意。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="120"/>
        <source>Search my conversations</source>
        <translation>搜索我的对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="121"/>
        <source>Lets the model search your earlier conversations: titles, dates and snippets.</source>
        <translation>让模型搜索你以前的对话：标题、日期和片段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="142"/>
        <location filename="../../app/ui/chat/tool_cards.py" line="187"/>
        <source>{name} — {server}</source>
        <translation>{name} — {server}</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="188"/>
        <source>its MCP server “{server}” is no longer set up</source>
        <translation>其 MCP 服务器“{server}”已不再配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="189"/>
        <source>this tool no longer exists</source>
        <translation>此工具已不存在</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="197"/>
        <source>server “{server}” exited — start it in Settings ▸ MCP servers</source>
        <translation>服务器“{server}”已退出 — 请在 设置 ▸ MCP 服务器 中启动它</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="199"/>
        <source>server “{server}” failed to start — see Settings ▸ MCP servers</source>
        <translation>服务器“{server}”启动失败 — 请查看 设置 ▸ MCP 服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="201"/>
        <source>server “{server}” is still starting</source>
        <translation>服务器“{server}”仍在启动中</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="203"/>
        <source>server “{server}” no longer offers this tool</source>
        <translation>服务器“{server}”已不再提供此工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="205"/>
        <source>server “{server}” is turned off — start it in Settings ▸ MCP servers</source>
        <translation>服务器“{server}”已关闭 — 请在 设置 ▸ MCP 服务器 中启动它</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="207"/>
        <source>server “{server}” is stopped — start it in Settings ▸ MCP servers</source>
        <translation>服务器“{server}”已停止 — 请在 设置 ▸ MCP 服务器 中启动它</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="213"/>
        <source>“{name}” ({why})</source>
        <translation>“{name}”（{why}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="215"/>
        <source>Sent without these chosen tools: {tools}.</source>
        <translation>发送时未包含以下已选工具：{tools}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="221"/>
        <source>MCP server “{name}”</source>
        <translation>MCP 服务器“{name}”</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="222"/>
        <source>Built-in</source>
        <translation>内置</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="268"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="269"/>
        <source>waiting for your permission</source>
        <translation>等待你的许可</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="270"/>
        <source>running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="271"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="272"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="273"/>
        <source>declined</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="274"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/tool_cards.py" line="275"/>
        <source>not run (limit reached)</source>
        <translation>未运行（已达上限）</translation>
    </message>
</context>
<context>
    <name>TranscribeTool</name>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="232"/>
        <source>Drop an audio or video file here (up to 25 MB), or</source>
        <extracomment>A job finished (successfully or not); tests and the page listen.</extracomment>
        <translation>将音频或视频文件拖放到这里（最大 25 MB），或</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="236"/>
        <source>No file chosen.</source>
        <translation>尚未选择文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="238"/>
        <location filename="../../app/ui/voice/tools.py" line="314"/>
        <location filename="../../app/ui/voice/tools.py" line="484"/>
        <source>Transcribe</source>
        <translation>转写</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="239"/>
        <location filename="../../app/ui/voice/tools.py" line="315"/>
        <source>Translate into English</source>
        <translation>翻译成英文</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="247"/>
        <source>Plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="248"/>
        <source>Subtitles (SRT)</source>
        <translation>字幕（SRT）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="249"/>
        <source>Subtitles (WebVTT)</source>
        <translation>字幕（WebVTT）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="250"/>
        <source>Detailed, with timestamps (verbose JSON)</source>
        <translation>详细，含时间戳（verbose JSON）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="255"/>
        <location filename="../../app/ui/voice/tools.py" line="319"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="257"/>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="264"/>
        <source>The transcription appears here.</source>
        <translation>转写结果显示在这里。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="287"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="288"/>
        <source>&amp;Task:</source>
        <translation>任务(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="293"/>
        <source>Res&amp;ult:</source>
        <translation>结果(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="313"/>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="313"/>
        <source>Pick the audio or video file to transcribe</source>
        <translation>选择要转写的音频或视频文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="314"/>
        <source>Write down what is said, in its own language</source>
        <translation>用原语言记下所说的内容</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="315"/>
        <source>Write what is said in English</source>
        <translation>把所说的内容写成英文</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="316"/>
        <source>Result format</source>
        <translation>结果格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="317"/>
        <source>Plain text, subtitles, or a detailed list of timed segments</source>
        <translation>纯文本、字幕，或带时间的详细分段列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="318"/>
        <source>Send the file to the server (Ctrl+Enter)</source>
        <translation>把文件发送到服务器（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="319"/>
        <source>Stop the transcription</source>
        <translation>停止转写</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="320"/>
        <source>Save the result</source>
        <translation>保存结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="320"/>
        <source>Save the result to a file</source>
        <translation>把结果保存到文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="321"/>
        <source>Transcription</source>
        <translation>转写结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="321"/>
        <source>The text of the file; select and copy it, or Save…</source>
        <translation>文件的文字内容；可选中复制，或点“保存…”</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="322"/>
        <source>Timed segments</source>
        <translation>分段时间表</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="322"/>
        <source>Each segment with its start and end time</source>
        <translation>每个分段及其开始和结束时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="328"/>
        <source>C&amp;hoose a file…</source>
        <translation>选择文件(&amp;H)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="389"/>
        <source>{name} ({size} MB)</source>
        <translation>{name}（{size} MB）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="408"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="421"/>
        <source>Translating…</source>
        <translation>正在翻译…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="421"/>
        <source>Transcribing…</source>
        <translation>正在转写…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="444"/>
        <source>Translated.</source>
        <translation>翻译完成。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="444"/>
        <source>Transcribed.</source>
        <translation>转写完成。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="446"/>
        <source>{done} {seconds} s of audio.</source>
        <translation>{done}音频时长 {seconds} 秒。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="476"/>
        <source>Saved to {path}.</source>
        <translation>已保存到 {path}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="484"/>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="492"/>
        <source>Audio and video ({patterns});;All files (*)</source>
        <translation>音频和视频 ({patterns});;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="493"/>
        <source>Choose an audio or video file</source>
        <translation>选择音频或视频文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="508"/>
        <source>Save the transcription</source>
        <translation>保存转写结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/tools.py" line="509"/>
        <source>{kind} (*{suffix});;All files (*)</source>
        <translation>{kind} (*{suffix});;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>TranscriptDelegate</name>
    <message>
        <location filename="../../app/ui/voice/transcript.py" line="213"/>
        <source>{speaker} (interrupted)</source>
        <translation>{speaker}（被打断）</translation>
    </message>
</context>
<context>
    <name>TranscriptModel</name>
    <message>
        <location filename="../../app/ui/voice/transcript.py" line="126"/>
        <source>You</source>
        <translation>你</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <location filename="../../app/ui/voice/transcript.py" line="284"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <location filename="../../app/ui/tray.py" line="30"/>
        <source>Parla</source>
        <extracomment>The user clicked (or double-clicked) the icon itself. The menu is about to open: the window refreshes which actions are available.</extracomment>
        <translation>Parla</translation>
    </message>
    <message>
        <location filename="../../app/ui/tray.py" line="34"/>
        <source>Parla tray menu</source>
        <translation>Parla 托盘菜单</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="210"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="214"/>
        <source>Undo the delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="219"/>
        <source>Bring the deleted pictures back ({key})</source>
        <translation>恢复已删除的图片（{key}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="232"/>
        <source>Picture deleted.</source>
        <translation>图片已删除。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/gallery_view.py" line="232"/>
        <source>{count} pictures deleted.</source>
        <translation>已删除 {count} 张图片。</translation>
    </message>
</context>
<context>
    <name>VariationPanel</name>
    <message>
        <location filename="../../app/ui/images/panels.py" line="564"/>
        <source>Make variations</source>
        <translation>生成变体</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="572"/>
        <source>No picture chosen.</source>
        <translation>尚未选择图片。</translation>
    </message>
    <message>
        <location filename="../../app/ui/images/panels.py" line="573"/>
        <source>Choose a picture: Open…, Paste, drop a file here, or pick Vary on a gallery picture.</source>
        <translation>选择一张图片：打开…、粘贴、把文件拖到这里，或在图库里的图片上选“变体”。</translation>
    </message>
</context>
<context>
    <name>VoiceController</name>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="289"/>
        <source>The microphone “{wanted}” is not connected — using the system default, “{used}”, instead.</source>
        <extracomment>Seconds between saves of a streaming answer&apos;s text (the Chat tab uses the same rhythm). Speech requests at once: enough to stay ahead of playback without hammering the server. After Parla stops speaking, hands-free mode ignores this much more audio (seconds of the room&apos;s echo). A take started without a key to release (tray, Ctrl+Enter) ends after this long without speech. The phase changed (a :class:`Phase` value). The status line: (kind &quot;info&quot;/&quot;error&quot;/&quot;&quot;, text, :class:`Action` value). The open conversation (or its title) changed. The list of recent conversations was reloaded. The microphone was armed or disarmed, or failed (see :attr:`mic_error`). Talk was pressed (or Stop): whatever else plays through the shared player stops too. ``time.monotonic()`` of the last turn&apos;s milestones (pressed, released, encoded, transcribe_sent, transcribed, first_token, first_sentence, first_sentence_played, answered): benchmarks, tests. The last spoken answer and the sentences handed to the player, in order (tests, benchmarks).</extracomment>
        <translation>麦克风“{wanted}”未连接——改用系统默认的“{used}”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="446"/>
        <source>The recording reached its maximum length and was sent.</source>
        <translation>录音已达到最长时长，已发送。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="463"/>
        <source>I didn&apos;t hear anything — hold Talk (or the push-to-talk key) while you speak.</source>
        <translation>我什么也没听到——说话时请按住“说话”按钮（或按键说话键）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="464"/>
        <source>I didn&apos;t hear anything — nothing was sent.</source>
        <translation>我什么也没听到——没有发送任何内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="476"/>
        <source>{problem} What was recorded so far ({seconds} s) is kept — send it, or talk again.</source>
        <translation>{problem} 已录下的内容（{seconds} 秒）已保留——可以发送，或重新说一遍。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="494"/>
        <source>The speakers “{wanted}” are not connected — using the system default, “{used}”, instead.</source>
        <translation>扬声器“{wanted}”未连接——改用系统默认的“{used}”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="507"/>
        <source>{problem} Answers are shown but not spoken.</source>
        <translation>{problem} 回答会显示，但不会朗读。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="547"/>
        <source>{problem} The recording is kept for Retry.</source>
        <translation>{problem} 录音已保留，可以重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="555"/>
        <source>I didn&apos;t hear anything — no words were recognised.</source>
        <translation>我什么也没听到——没有识别出任何文字。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="657"/>
        <source>Speaking the answer failed: {problem}</source>
        <translation>朗读回答失败：{problem}</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="727"/>
        <source>{problem} The answer is shown but was not spoken.</source>
        <translation>{problem} 回答已显示，但未朗读。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="760"/>
        <source>The conversation history is unavailable, so this voice conversation will not be saved.</source>
        <translation>对话记录不可用，因此这次语音对话不会被保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="819"/>
        <source>There is no earlier voice conversation yet.</source>
        <translation>还没有以前的语音对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/controller.py" line="829"/>
        <source>That conversation no longer exists.</source>
        <translation>该对话已不存在。</translation>
    </message>
</context>
<context>
    <name>VoicePage</name>
    <message>
        <location filename="../../app/ui/voice/page.py" line="83"/>
        <source>Continue latest</source>
        <extracomment>The meter and clock refresh this often while the microphone is open (ms). The countdown shows in the last this many seconds of the maximum length.</extracomment>
        <translation>继续上次对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="88"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="99"/>
        <source>Talk</source>
        <translation>说话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="103"/>
        <source>Microphone level</source>
        <translation>麦克风音量</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="110"/>
        <source>Hands-free</source>
        <translation>免按键</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="111"/>
        <source>Parla listens, and starts and ends your turns by itself. It does not listen while it speaks.</source>
        <translation>Parla 会一直聆听，自动开始和结束你的发言；它说话时不会聆听。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="114"/>
        <source>Speak answers</source>
        <translation>朗读回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="116"/>
        <source>Read the assistant&apos;s answers out loud</source>
        <translation>朗读助手的回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="117"/>
        <source>Start a new voice conversation (the current one is kept)</source>
        <translation>开始新的语音对话（当前对话会保留）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="118"/>
        <source>Continue a conversation</source>
        <translation>继续对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="119"/>
        <source>Conversation transcript</source>
        <translation>对话记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="120"/>
        <source>What you said and what the assistant answered</source>
        <translation>你说的话和助手的回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="124"/>
        <source>Hold to talk (while the conversation has the focus)</source>
        <translation>按住说话（对话区域有焦点时）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="158"/>
        <source>&amp;Conversation</source>
        <translation>对话(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="159"/>
        <source>Tra&amp;nscribe or translate</source>
        <translation>转写或翻译(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="160"/>
        <source>Speak te&amp;xt</source>
        <translation>朗读文本(&amp;X)</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="161"/>
        <source>Settin&amp;gs</source>
        <translation>设置(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="162"/>
        <source>Talk with the assistant (Alt+C)</source>
        <translation>与助手对话（Alt+C）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="163"/>
        <source>Turn an audio or video file into text (Alt+N)</source>
        <translation>把音频或视频文件转成文字（Alt+N）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="164"/>
        <source>Have a text read aloud, or saved as audio (Alt+X)</source>
        <translation>朗读文本，或保存为音频（Alt+X）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="165"/>
        <source>Microphone, speakers, models and voice (Alt+G)</source>
        <translation>麦克风、扬声器、模型和音色（Alt+G）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="166"/>
        <source>Voice tools</source>
        <translation>语音工具</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="167"/>
        <source>Conversation, transcription, speech and settings</source>
        <translation>对话、转写、朗读和设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="395"/>
        <source>Release to send</source>
        <translation>松开即发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="395"/>
        <source>Listening… press to send</source>
        <translation>正在聆听…按下即发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="398"/>
        <source>Transcribing…</source>
        <translation>正在转写…</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="401"/>
        <source>Answering… press to interrupt</source>
        <translation>正在回答…按下可打断</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="404"/>
        <source>Speaking… press to interrupt</source>
        <translation>正在朗读…按下可打断</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="407"/>
        <source>Listening</source>
        <translation>正在聆听</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="407"/>
        <source>Hold to talk</source>
        <translation>按住说话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="415"/>
        <location filename="../../app/ui/voice/page.py" line="416"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="415"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="441"/>
        <source>{elapsed} · stops in {seconds} s</source>
        <translation>{elapsed} · {seconds} 秒后停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="447"/>
        <source>Microphone unavailable</source>
        <translation>麦克风不可用</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="463"/>
        <source>New voice conversation</source>
        <translation>新的语音对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="465"/>
        <location filename="../../app/ui/voice/page.py" line="479"/>
        <source>Untitled voice conversation</source>
        <translation>未命名的语音对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="467"/>
        <source>{title} (a chat, continued by voice)</source>
        <translation>{title}（文字对话，用语音继续）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="479"/>
        <source>Continue “{title}”</source>
        <translation>继续“{title}”</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="480"/>
        <source>There is no earlier voice conversation yet.</source>
        <translation>还没有以前的语音对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="482"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="482"/>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="483"/>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="484"/>
        <source>{kind}: {title}</source>
        <translation>{kind}：{title}</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="488"/>
        <source>No conversations yet</source>
        <translation>还没有对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="495"/>
        <source>Hold the button — or {key} while this tab has the focus — and speak; release to send. Press again to interrupt Parla.</source>
        <translation>按住按钮（或在此标签页获得焦点时按住 {key}）说话，松开即发送。再次按下可打断 Parla。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="497"/>
        <source>Hold to talk, release to send ({key}); Ctrl+Enter starts and sends without holding</source>
        <translation>按住说话，松开发送（{key}）；Ctrl+Enter 无需按住即可开始和发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/page.py" line="504"/>
        <source>Your conversation appears here. It is saved with your chats, so you can read it and go on typing in the Chat tab.</source>
        <translation>对话会显示在这里。它与聊天记录保存在一起，你可以在“聊天”标签页中查看，并继续打字交流。</translation>
    </message>
</context>
<context>
    <name>VoiceSettingsForm</name>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="101"/>
        <source>Refresh</source>
        <extracomment>ISO-639-1 codes the transcription models know (Whisper&apos;s list, the widely spoken ones). The device lists were (re)loaded.</extracomment>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="242"/>
        <source>Read the assistant&apos;s answers out loud</source>
        <translation>朗读助手的回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="243"/>
        <source>Speech model</source>
        <translation>语音合成模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="244"/>
        <source>The model that speaks the answers; empty uses the profile&apos;s</source>
        <translation>朗读回答的模型；留空则使用配置中的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="245"/>
        <source>Voice</source>
        <translation>音色</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="245"/>
        <source>The voice that speaks; pick one or type a name the server knows</source>
        <translation>朗读使用的音色；从列表中选择，或输入服务器支持的名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="246"/>
        <source>Speed</source>
        <translation>语速</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="246"/>
        <source>How fast the voice speaks: 1× is normal</source>
        <translation>朗读的快慢：1× 为正常语速</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="247"/>
        <source>Audio format</source>
        <translation>音频格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="247"/>
        <source>The format the spoken answers are downloaded in</source>
        <translation>下载朗读回答时使用的格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="248"/>
        <source>List the sound devices again</source>
        <translation>重新列出声音设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="110"/>
        <source>Detect automatically</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="114"/>
        <source>Names and words to spell right, or the topic (optional)</source>
        <translation>需要正确拼写的名称和词语，或话题（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="116"/>
        <source>Opus — about 6× smaller (recommended)</source>
        <translation>Opus——约小 6 倍（推荐）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="117"/>
        <source>FLAC — lossless, larger</source>
        <translation>FLAC——无损，文件较大</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="121"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="126"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="129"/>
        <source>Speak ans&amp;wers aloud</source>
        <translation>朗读回答(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="157"/>
        <source>&amp;Microphone:</source>
        <translation>麦克风(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="158"/>
        <source>S&amp;peakers:</source>
        <translation>扬声器(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="164"/>
        <source>&amp;Transcription model:</source>
        <translation>转写模型(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="166"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="167"/>
        <source>Pr&amp;ompt:</source>
        <translation>提示词(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="168"/>
        <source>&amp;Send recordings as:</source>
        <translation>录音发送格式(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="174"/>
        <source>Push-to-talk &amp;key:</source>
        <translation>按键说话键(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="179"/>
        <source>Longest &amp;recording:</source>
        <translation>最长录音(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="185"/>
        <source>Sp&amp;eech model:</source>
        <translation>语音合成模型(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="186"/>
        <source>Vo&amp;ice:</source>
        <translation>音色(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="187"/>
        <source>Spee&amp;d:</source>
        <translation>语速(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="188"/>
        <source>A&amp;udio format:</source>
        <translation>音频格式(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="229"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="229"/>
        <source>The microphone Parla records from</source>
        <translation>Parla 录音使用的麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="230"/>
        <source>Speakers</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="230"/>
        <source>Where Parla plays spoken answers</source>
        <translation>Parla 播放朗读回答的设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="231"/>
        <source>Transcription model</source>
        <translation>转写模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="232"/>
        <source>The model that turns your speech into text; empty uses the profile&apos;s</source>
        <translation>把你的语音转成文字的模型；留空则使用配置中的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="233"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="234"/>
        <source>The language you speak; naming it helps with short recordings</source>
        <translation>你说的语言；指定语言有助于识别短录音</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="235"/>
        <source>Transcription prompt</source>
        <translation>转写提示词</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="236"/>
        <source>Names and words the transcription should spell right, or the topic</source>
        <translation>转写时应写对的人名和词语，或者话题</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="237"/>
        <source>Send recordings as</source>
        <translation>录音发送格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="237"/>
        <source>The audio format recordings are uploaded in</source>
        <translation>上传录音时使用的音频格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="238"/>
        <source>Push-to-talk key</source>
        <translation>按键说话键</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="239"/>
        <source>Click here and press the key to hold while talking; Default puts back Space</source>
        <translation>点击此处，然后按下说话时要按住的键；“默认”恢复为空格键</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="240"/>
        <source>Default push-to-talk key</source>
        <translation>默认按键说话键</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="240"/>
        <source>Use the Space bar again</source>
        <translation>重新使用空格键</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="241"/>
        <source>Longest recording</source>
        <translation>最长录音</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="241"/>
        <source>A recording stops by itself after this long</source>
        <translation>录音达到此时长后自动停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="242"/>
        <source>Speak answers aloud</source>
        <translation>朗读回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="248"/>
        <source>Refresh the device lists</source>
        <translation>刷新设备列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="140"/>
        <source>PCM — starts playing soonest (recommended)</source>
        <translation>PCM——最快开始播放（推荐）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="143"/>
        <source>Opus — smallest download</source>
        <translation>Opus——下载量最小</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="150"/>
        <source>Sound devices</source>
        <translation>声音设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="161"/>
        <source>Listening</source>
        <translation>聆听</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="175"/>
        <source>Hold it while the Voice tab has the focus (not while typing in a text field).</source>
        <translation>在“语音”标签页获得焦点时按住此键（在文本框中输入时无效）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="181"/>
        <source>Speaking</source>
        <translation>朗读</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="391"/>
        <source>No microphone is connected.</source>
        <translation>未连接麦克风。</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="398"/>
        <location filename="../../app/ui/voice/settings_form.py" line="410"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="401"/>
        <source>{name} (not connected)</source>
        <translation>{name}（未连接）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="410"/>
        <source>System default ({name})</source>
        <translation>系统默认（{name}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/voice/settings_form.py" line="428"/>
        <location filename="../../app/ui/voice/settings_form.py" line="430"/>
        <source>The profile&apos;s: {model}</source>
        <translation>配置文件的：{model}</translation>
    </message>
</context>
<context>
    <name>_DragHandle</name>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="537"/>
        <source>Drag out</source>
        <extracomment>Load picture was clicked: the address</extracomment>
        <translation>拖出</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="538"/>
        <source>Drag from here to a folder, the desktop or another program to copy the picture there</source>
        <translation>从这里拖到文件夹、桌面或其他程序，即可把图片复制过去</translation>
    </message>
</context>
<context>
    <name>_Thumb</name>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="264"/>
        <source>Open the picture (zoom, Copy, Save as)</source>
        <extracomment>Longest side of a picture&apos;s thumbnail in a message. Longest side of a kept picture shown in a reply&apos;s text, in place of its markdown. Where this run&apos;s drag copies go (the page points it at the cache: ``&lt;cache&gt;/drag``). A drag copy folder older than this is removed at start (a file manager may still be reading a younger one). A thumbnail is ready (or failed: then ``thumbnail`` keeps answering None): hash The button went down on it (a drag may follow: its copy is made now): hash The mouse moved far enough with the button down: hash</extracomment>
        <translation>打开图片（缩放、复制、另存为）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="265"/>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
</context>
<context>
    <name>_Tile</name>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="220"/>
        <source>Pasted picture</source>
        <extracomment>The prepared bytes&apos; hash once kept in the store (what the conversation&apos;s draft names). A web picture sent by its address (Settings ▸ General ▸ pictures from web pages: &quot;url&quot;).</extracomment>
        <translation>粘贴的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="224"/>
        <source>Remove this picture</source>
        <translation>移除这张图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="225"/>
        <source>Remove picture</source>
        <translation>移除图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/attachments.py" line="236"/>
        <source>Web
picture</source>
        <translation>网页
图片</translation>
    </message>
</context>
<context>
    <name>_WebPictureTile</name>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="455"/>
        <location filename="../../app/ui/chat/image_view.py" line="457"/>
        <location filename="../../app/ui/chat/image_view.py" line="480"/>
        <source>Load picture</source>
        <translation>加载图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="472"/>
        <source>Picture sent by its address</source>
        <translation>按网址发送的图片</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="480"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/image_view.py" line="482"/>
        <source>Download the picture from {host} and keep it with the conversation</source>
        <translation>从 {host} 下载图片并随对话保存</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../app/ui/errors.py" line="86"/>
        <source>The conversation no longer exists — it may have been deleted.</source>
        <translation>该对话已不存在——可能已被删除。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="88"/>
        <source>The conversation history was saved by a newer version of Parla — update Parla to open it.</source>
        <translation>对话记录由更新版本的 Parla 保存 — 请更新 Parla 后再打开。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="90"/>
        <source>The conversation history could not be read or written ({kind}) — the details are in the log.</source>
        <translation>无法读取或写入对话记录（{kind}）— 详情见日志。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="94"/>
        <source>The picture could not be read: it is not a PNG, JPEG, WebP, GIF, BMP or TIFF file, or it is damaged.</source>
        <translation>无法读取图片：它不是 PNG、JPEG、WebP、GIF、BMP 或 TIFF 文件，或者已损坏。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="98"/>
        <source>The server&apos;s answer is not a picture Parla can read — try again.</source>
        <translation>服务器返回的不是 Parla 能读取的图片——请重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="100"/>
        <source>The server answered without any picture — try again, or change the prompt or the options.</source>
        <translation>服务器的回答里没有图片——请重试，或修改提示词或选项。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="105"/>
        <source>No token — open Settings to add one.</source>
        <translation>没有令牌 — 请打开设置添加。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="107"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="109"/>
        <source>File not found: {path}</source>
        <translation>找不到文件：{path}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="111"/>
        <source>Permission denied: {path}</source>
        <translation>权限不足：{path}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="113"/>
        <source>The operating system reported an error: {reason}</source>
        <translation>操作系统报告了错误：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="116"/>
        <source>Something unexpected went wrong ({kind}) — the details are in the log.</source>
        <translation>发生了意外错误（{kind}）— 详细信息见日志。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="144"/>
        <source>the server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="157"/>
        <source>the connection closed before the end</source>
        <translation>连接在结束前已关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="158"/>
        <source>The reply was cut off: {reason}</source>
        <translation>回复被中断：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="163"/>
        <source>The request failed: {message}</source>
        <translation>请求失败：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="164"/>
        <source>The request failed.</source>
        <translation>请求失败。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="170"/>
        <source>Cannot reach {host}: connecting took too long — check the network and the proxy settings.</source>
        <translation>无法连接 {host}：连接超时 — 请检查网络和代理设置。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="174"/>
        <source>{host} stopped answering within the request timeout — try again, or raise the timeout in Settings.</source>
        <translation>{host} 在请求超时时间内没有回应 — 请重试，或在设置中调高超时时间。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="177"/>
        <source>The request to {host} timed out — try again.</source>
        <translation>发往 {host} 的请求超时 — 请重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="183"/>
        <source>Cannot reach {host}: the connection was refused — is the server running?</source>
        <translation>无法连接 {host}：连接被拒绝 — 服务器是否在运行？</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="185"/>
        <source>Cannot reach {host}: the name could not be resolved — check the address and the network.</source>
        <translation>无法连接 {host}：无法解析该域名 — 请检查地址和网络。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="187"/>
        <source>Cannot reach {host}: the secure connection failed — check the TLS settings and the CA bundle.</source>
        <translation>无法连接 {host}：安全连接失败 — 请检查 TLS 设置和 CA 证书包。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="191"/>
        <source>Cannot reach {host} through the proxy — check the proxy settings.</source>
        <translation>无法通过代理连接 {host} — 请检查代理设置。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="193"/>
        <source>Cannot reach {host}: the network connection failed.</source>
        <translation>无法连接 {host}：网络连接失败。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="202"/>
        <source>The server answered with a web page (HTTP {status}) — the relay may be down.</source>
        <translation>服务器返回了一个网页（HTTP {status}）— 中转服务可能已宕机。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="205"/>
        <source>The server answered with a web page instead of an API reply (HTTP {status}) — check the base URL in Settings.</source>
        <translation>服务器返回了网页而不是 API 响应（HTTP {status}）— 请在设置中检查基础 URL。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="211"/>
        <source>Refused under the server&apos;s content policy — change the prompt or the picture and try again. The server said: {message}</source>
        <translation>因服务器的内容政策被拒绝——请修改提示词或图片后重试。服务器说：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="215"/>
        <source>Refused under the server&apos;s content policy — change the prompt or the picture and try again.</source>
        <translation>因服务器的内容政策被拒绝——请修改提示词或图片后重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="220"/>
        <source>The model “{model}” does not make pictures of this size — choose another size.</source>
        <translation>模型“{model}”不能生成这个尺寸的图片——请选择其他尺寸。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="222"/>
        <source>The model does not make pictures of this size — choose another size.</source>
        <translation>这个模型不能生成这个尺寸的图片——请选择其他尺寸。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="225"/>
        <source>The server said: {message}</source>
        <translation>服务器说：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="228"/>
        <source>The server rejected the token — check it in Settings.</source>
        <translation>服务器拒绝了令牌 — 请在设置中检查。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="231"/>
        <source>Access denied (HTTP 403): {message}</source>
        <translation>访问被拒绝（HTTP 403）：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="232"/>
        <source>Access denied (HTTP 403) — the token is not allowed to use this.</source>
        <translation>访问被拒绝（HTTP 403）— 该令牌无权使用此功能。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="235"/>
        <source>The model “{model}” was not found on this server — choose another one.</source>
        <translation>此服务器上找不到模型“{model}” — 请选择其他模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="239"/>
        <source>Not found (HTTP 404): {message}</source>
        <translation>未找到（HTTP 404）：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="240"/>
        <source>Not found (HTTP 404): the server has no {path} — check the base URL in Settings.</source>
        <translation>未找到（HTTP 404）：服务器没有 {path} — 请在设置中检查基础 URL。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="247"/>
        <source>The server refused the request: {message}</source>
        <translation>服务器拒绝了请求：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="248"/>
        <source>The server refused the request as invalid (HTTP 400).</source>
        <translation>服务器认为请求无效并拒绝了它（HTTP 400）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="251"/>
        <source>The server had a problem (HTTP {status}): {message}</source>
        <translation>服务器出现问题（HTTP {status}）：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="254"/>
        <source>The server had a problem (HTTP {status}) — try again in a moment.</source>
        <translation>服务器出现问题（HTTP {status}）— 请稍后重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="256"/>
        <source>The server gave up waiting for the request (HTTP 408) — try again.</source>
        <translation>服务器等待请求超时（HTTP 408）— 请重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="258"/>
        <source>The request is too large for the server (HTTP 413).</source>
        <translation>请求太大，服务器无法处理（HTTP 413）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="261"/>
        <source>The server answered with an error: {message}</source>
        <translation>服务器返回了错误：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="262"/>
        <source>The server&apos;s answer could not be understood.</source>
        <translation>无法理解服务器的回复。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="264"/>
        <source>The server refused the request (HTTP {status}): {message}</source>
        <translation>服务器拒绝了请求（HTTP {status}）：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="267"/>
        <source>The server refused the request (HTTP {status}).</source>
        <translation>服务器拒绝了请求（HTTP {status}）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="273"/>
        <source>The account has no quota left: {message}</source>
        <translation>账户额度已用完：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="274"/>
        <source>The account has no quota left — check your plan or balance.</source>
        <translation>账户额度已用完 — 请检查套餐或余额。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="277"/>
        <source>Rate limited — retrying in {seconds} s.</source>
        <translation>请求过于频繁 — {seconds} 秒后重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="279"/>
        <source>Rate limited — try again later. The server said: {message}</source>
        <translation>请求过于频繁 — 请稍后再试。服务器消息：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="280"/>
        <source>Rate limited — try again later.</source>
        <translation>请求过于频繁 — 请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="285"/>
        <source>No keychain is available to store the token — install GNOME Keyring or KWallet, or keep the token for this session only.</source>
        <translation>没有可用于保存令牌的密钥环 — 请安装 GNOME Keyring 或 KWallet，或仅在本次会话中保留令牌。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="291"/>
        <source>The keychain is locked — unlock it and try again.</source>
        <translation>密钥环已锁定 — 请解锁后重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="293"/>
        <source>The keychain did not open: its unlock prompt was dismissed or could not be shown.</source>
        <translation>密钥环未能打开：解锁提示被关闭或无法显示。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="296"/>
        <source>The keychain reported an error: {detail}</source>
        <translation>密钥环报告了错误：{detail}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="297"/>
        <source>The keychain reported an error.</source>
        <translation>密钥环报告了错误。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="302"/>
        <source>The file cannot be imported: it is not a JSON file.</source>
        <translation>无法导入该文件：它不是 JSON 文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="304"/>
        <source>The file cannot be imported: it is not a conversation export from Parla.</source>
        <translation>无法导入该文件：它不是 Parla 导出的对话。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="306"/>
        <source>The file was exported by a newer version of Parla — update Parla to import it.</source>
        <translation>该文件由更新版本的 Parla 导出——请更新 Parla 后再导入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="307"/>
        <source>The file cannot be imported: it is damaged ({detail}). Nothing was imported.</source>
        <translation>无法导入该文件：文件已损坏（{detail}）。未导入任何内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="351"/>
        <source>Sound is not available: the PortAudio library is missing or could not start — install it (libportaudio2 on Debian and Ubuntu) and restart Parla. Everything else keeps working.</source>
        <translation>声音不可用：PortAudio 库缺失或无法启动——请安装它（Debian 和 Ubuntu 上为 libportaudio2）并重启 Parla。其他功能不受影响。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="358"/>
        <source>No microphone was found — connect one, or choose another in the Voice settings.</source>
        <translation>未找到麦克风——请连接一个，或在语音设置中选择其他麦克风。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="359"/>
        <source>No speakers or headphones were found — connect some, or choose another output in the Voice settings.</source>
        <translation>未找到扬声器或耳机——请连接，或在语音设置中选择其他输出设备。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="365"/>
        <source>The sound device “{device}” stopped working — was it unplugged?</source>
        <translation>声音设备“{device}”停止工作——是否被拔出了？</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="366"/>
        <source>The sound device stopped working — was it unplugged?</source>
        <translation>声音设备停止工作——是否被拔出了？</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="369"/>
        <source>The sound device “{device}” could not be used — another application may be using it, or access was denied. Close the other application or choose another device in the Voice settings.</source>
        <translation>无法使用声音设备“{device}”——可能有其他应用正在使用它，或访问被拒绝。请关闭其他应用，或在语音设置中选择其他设备。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="374"/>
        <source>The sound device could not be used — another application may be using it, or access was denied.</source>
        <translation>无法使用声音设备——可能有其他应用正在使用它，或访问被拒绝。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="379"/>
        <source>The file is too large: {size} MB is over the API&apos;s {limit} MB upload limit — shorten or compress it.</source>
        <translation>文件太大：{size} MB 超过了 API 的 {limit} MB 上传上限——请缩短或压缩后再试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="383"/>
        <source>This audio cannot be read or written here: the format is not supported or the data is damaged.</source>
        <translation>无法在此读取或写入该音频：格式不受支持或数据已损坏。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="384"/>
        <source>Something went wrong with sound ({kind}) — the details are in the log.</source>
        <translation>声音出现问题（{kind}）——详细信息见日志。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../../app/main.py" line="452"/>
        <source>Parla is already running (process {pid}) but does not respond. Close it, or end that process, and start Parla again.</source>
        <extracomment>The desktop id: the .desktop and AppStream file names, the Wayland app id, the macOS bundle id.</extracomment>
        <translation>Parla 已在运行（进程 {pid}），但没有响应。请关闭它或结束该进程，然后重新启动 Parla。</translation>
    </message>
</context>
<context>
    <name>profiles</name>
    <message>
        <location filename="../../app/ui/profile_names.py" line="18"/>
        <source>Default</source>
        <extracomment>The name ``ProfileStore`` gives the first profile it creates (English, as stored on disk).</extracomment>
        <translation>默认</translation>
    </message>
</context>
<context>
    <name>validation</name>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="27"/>
        <source>The profile needs a name.</source>
        <translation>配置需要一个名称。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="34"/>
        <source>Enter the base URL, e.g. https://api.openai.com/v1.</source>
        <translation>请输入基础 URL，例如 https://api.openai.com/v1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="37"/>
        <source>The base URL must start with http:// or https:// and name a host.</source>
        <translation>基础 URL 必须以 http:// 或 https:// 开头，并包含主机名。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="39"/>
        <source>The port in the base URL is not valid.</source>
        <translation>基础 URL 中的端口无效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="41"/>
        <source>Put the token in the Token field, not in the base URL.</source>
        <translation>请把令牌填在“令牌”栏中，而不是写进基础 URL。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="48"/>
        <source>Enter the proxy URL, e.g. socks5://127.0.0.1:1080.</source>
        <translation>请输入代理 URL，例如 socks5://127.0.0.1:1080。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="51"/>
        <source>The proxy URL must start with http://, https://, socks5:// or socks5h:// and name a host.</source>
        <translation>代理 URL 必须以 http://、https://、socks5:// 或 socks5h:// 开头，并包含主机名。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="55"/>
        <source>The port in the proxy URL is not valid.</source>
        <translation>代理 URL 中的端口无效。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings/validation.py" line="65"/>
        <source>The CA bundle file does not exist.</source>
        <translation>CA 证书包文件不存在。</translation>
    </message>
</context>
</TS>
