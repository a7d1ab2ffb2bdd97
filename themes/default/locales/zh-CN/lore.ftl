# Lore 界面（简体中文）。

## Dates and times

date-time = { $year }年{ $month }月{ $day }日 { $time } UTC
time-just-now = 刚刚
time-minutes-ago = { $n }分钟前
time-hours-ago = { $n }小时前
time-days-ago = { $n }天前
time-months-ago = { $n }个月前
time-years-ago = { $n }年前

## The frame of every page

skip-to-content = 跳到正文
open-mode-banner = 此 Wiki 以开放模式运行：任何能访问它的人都可以阅读和编辑所有页面。
search-label = 搜索 Wiki
search-placeholder = 搜索（按 /）
search-button = 搜索
menu = 菜单
close = 关闭
nav-main = 主导航
nav-all-pages = 所有页面
nav-questions = 问题
nav-questions-waiting = { $n } 个等待回答
nav-questions-open = 未解决
nav-people = 成员
nav-review = 审阅
nav-tags = 标签
nav-recent-changes = 最近更改
nav-new-page = 新建页面
nav-breadcrumb = 面包屑导航
nav-home = 首页
git-recipe-title = 用 git 编辑
git-recipe-steps = 编辑、提交，然后 { $push }
nav-more = 更多

## Account links in the header

nav-inbox = 收件箱
nav-inbox-unread = 未读
nav-admin = 管理
nav-your-account = 你的账户
log-out = 退出登录
log-in = 登录

## Error pages

error-title-server = 出错了
error-status = 错误 { $status }
error-title-404 = 未找到
error-title-403 = 不允许
error-title-401 = 请登录
error-title-429 = 尝试次数过多
error-title-409 = 其他人已更改了此内容
error-title-other = 操作未成功
error-server-explanation = 这是我们这边的问题，不是你的。稍后重试通常会有帮助；如果问题持续出现，请告诉本 Wiki 的管理员。
error-go-home = 前往首页
error-browse-pages = 浏览所有页面

## Pages and folders

not-found-title = 未找到：{ $path }
not-found-lead = 此页面尚不存在。
not-found-create = 创建此页面
not-found-search = 搜索“{ $path }”
page-revision-banner = 你正在查看 { $author } 于 { $date } 保存的版本（{ $commit }）
page-view-current = 查看当前版本
page-compare-current = 与当前版本比较
page-restore-version = 恢复此版本
page-undo-restore = 撤销恢复
page-actions = 页面操作
page-edit = 编辑
page-history = 历史
page-blame = 逐行追溯
page-raw = 源文件
page-move = 移动
page-delete = 删除
page-git-steps = 编辑 { $path }，提交，{ $push }
page-last-edited = 最后编辑
page-last-edited-by-when = 最后由 { $who } 编辑，{ $when }
page-last-edited-by = 最后由 { $who } 编辑
page-stewardship = 负责人与审阅
page-owners = 负责人：{ $owners }
page-owners-left = { $names } 已离开
page-no-owner = 无负责人
page-needs-review = 自 { $since } 起需要审阅
page-verified-by = 由 { $who } 于 { $date } 核实
page-verified = 于 { $date } 核实
page-mark-verified = 标记为已核实
page-health = { $contributors } 位贡献者 · { $links } 个页面链接到这里
page-edited-when = 编辑于 { $when }
page-problem = 此页面有问题：
page-translations = 翻译
page-also-in = 其他语言：
page-backlinks = 链接到此页的页面
page-contents = 目录
page-pages = 页面
tree-more = 还有 { $n } 个
tree-more-in = { $folder } 中还有 { $n } 个
tree-pages-in = { $folder } 中的页面
page-navigation = 导航
page-on-this-page = 本页内容
page-sidebar = 侧边栏
page-tree = 页面树
nav-random = 随机页面
folder-title = { $folder } 的目录
folder-empty = 此文件夹为空。
pages-count = { $n } 个页面
pages-empty = Wiki 中还没有页面。
pages-write-first = 写下第一个页面。
deleted-title = 已删除：{ $title }
deleted-lead = 此页面已由 { $who } 于{ $when }删除。
deleted-explanation = 它的历史保留了每个版本。恢复会把最后一个版本作为新的更改找回来。
deleted-restore = 恢复
deleted-history = 查看页面历史
login-proxy = 此 Wiki 通过你公司的登录系统让你登录。请通过公司提供的地址打开它。
login-username = 用户名
login-password = 密码
login-help = 还没有账户，或忘记了密码？请联系本 Wiki 的管理员。

## Account

account-title = 你的账户
account-groups = 组：{ $groups }
account-mode = { $mode } 模式
account-open-mode = 此 Wiki 以开放模式运行：没有账户，编辑以浏览器记住的名字署名。
account-new-token = 你的新令牌。请立即复制：它只显示这一次。
account-notifications-link = 通知：提及、问题和你关注内容的电子邮件
account-profile = 个人资料
account-name = 名字（为你的编辑署名；不能与其他账户同名）
account-email = 电子邮件
account-email-hint = 你的编辑以此地址署名，因此只有管理员可以更改它。
account-save-profile = 保存个人资料
account-from-proxy = { $who } — 来自你公司的登录系统。
account-current-password = 当前密码
account-new-password = 新密码（至少 8 个字符）
account-new-password-again = 再次输入新密码
account-password-hint = 更改密码会让你在其他所有地方退出登录。
account-change-password = 更改密码
account-tokens = 个人令牌
account-tokens-hint = 用于 git（作为密码）和 API（{ $header }）。
account-no-tokens = 还没有令牌。
account-token-name = 新令牌的名称
account-token-placeholder = 笔记本 git
account-create-token = 创建令牌
account-language = 语言
account-language-label = Lore 界面使用的语言
account-language-browser = 跟随浏览器设置
account-language-save = 保存语言

## The editor

edit-title-new = 创建 { $title }
edit-title = 编辑 { $title }
edit-new-page-at = 新页面位于
edit-section-only = 仅第 { $section } 节
edit-not-saved = 未保存。
edit-conflict-lead = 在你编辑期间，{ $who } 更改了此页面。没有保存任何内容，你输入的内容也没有丢失。
edit-conflict-rows = 下方编辑器包含合并后的两个版本。你们都修改过的行保留了你的版本；请逐一选择：
edit-conflict-row-front-matter = 更改 { $number }：前置元数据，第 { $line } 行
edit-conflict-row = 更改 { $number }：第 { $line } 行
edit-conflict-theirs = 对方的（{ $who }）
edit-conflict-they-removed = （对方删除了这些行）
edit-conflict-yours = 你的
edit-conflict-you-removed = （你删除了这些行）
edit-conflict-change = 更改 { $number }
edit-keep-mine = 保留我的
edit-keep-theirs = 保留对方的
edit-keep-both = 两者都保留
edit-conflict-merged = 下方编辑器包含合并后的两个版本：请检查后保存。
edit-conflict-diff = 所有差异：对方版本与你的版本比较
edit-conflict-their-version = 对方的完整版本
edit-conflict-hint = 保存会用编辑器中的内容替换对方的版本。
edit-draft = 你有一份未保存的草稿。
edit-draft-restore = 恢复草稿
edit-draft-discard = 丢弃
edit-field-title = 标题
edit-tags-hint = 用逗号分隔，例如：networking, how-to
edit-field-owners = 负责人
edit-owners-hint = 负责保持本页正确的人：电子邮件地址或团队，用逗号分隔
edit-advanced = 高级：前置元数据（YAML）
edit-front-matter-problem = 前置元数据有问题，{ $problem }
edit-front-matter-label = 前置元数据，不含 { $marker } 行
edit-front-matter-hint = 页面的所有设置，例如 { $example1 } 或 { $example2 }。当你更改上方的标题、标签或负责人时，保存会把它们写到这里。
edit-tabs = 显示
edit-tab-write = 编写
edit-preview = 预览
edit-section-text = 章节文本（Markdown）
edit-page-text = 页面文本（Markdown）
edit-toolbar = 格式
edit-tool-heading = 标题
edit-tool-bold = 粗体
edit-tool-italic = 斜体
edit-tool-link = 链接
edit-tool-page-link = 页面链接
edit-tool-page-link-title = 链接到本 Wiki 的页面
edit-tool-page = 页面
edit-tool-mention = 提及某人
edit-tool-bullets = 项目符号列表
edit-tool-list = 列表
edit-tool-tasks-label = 任务：清单
edit-tool-task-list = 任务列表
edit-tool-tasks = 任务
edit-tool-table = 表格
edit-tool-code = 代码
edit-tool-quote = 引用
edit-tool-upload = 上传图片或文件
edit-tool-upload-short = 上传
edit-picker-label = 查找页面
edit-picker-hint = ↑ ↓ 选择，Enter 插入，Esc 返回文本
edit-text-placeholder = 在这里编写页面。工具栏和下方的速查表会告诉你怎么做。
edit-text-hint = Markdown：**粗体**、[[页面名称]]、## 标题。下方速查表中有更多内容。
edit-text-hint-front-matter = 前置元数据（标题、标签……）写在顶部的 --- 行之间
edit-attach = 附加文件
edit-drop-hint = 将图片或文件拖放到文本上即可上传
edit-cheat-sheet = Markdown 速查表和键盘快捷键
edit-cheat-want = 你想要
edit-cheat-type = 你输入
edit-cheat-shortcut = 快捷键
edit-cheat-heading = 章节标题
edit-cheat-bold = 粗体、斜体
edit-cheat-numbered = 编号列表
edit-cheat-page-link = 链接到页面
edit-cheat-image = 图片
edit-cheat-image-how = 上传，或将文件拖放到文本上
edit-cheat-code-block = 或代码块：
edit-cheat-callout = 提示框
edit-cheat-also = 还有
edit-save = 保存
edit-cheat-mac = 在 Mac 上，用 { $cmd } 代替 { $ctrl }。在工具栏中，方向键可在按钮之间移动。
edit-cheat-guide = Lore 能渲染的一切：Markdown 指南
edit-your-name = 你的名字
edit-your-email = 你的电子邮件
edit-message = 描述你的更改
cancel = 取消
edit-save-hint = Ctrl+S 保存

## Scripts

js-section-link = 链接到本节
js-suggestions = 建议
js-pages-in = { $folder } 中的页面
js-more = 还有 { $n } 个
js-copied = 已复制
js-copy = 复制
js-shortcuts = 键盘快捷键
js-shortcut-search = 搜索
js-shortcut-help = 本帮助
js-shortcut-edit = 编辑此页面
js-shortcut-save = 保存（在编辑器中）
js-close = 关闭
js-time-just-now = 刚刚
js-preview-failed = 预览未更新：{ $error }
js-network-error = 网络错误
js-draft-earlier-visit = 之前的访问
js-draft-from = 你有一份来自 { $when } 的未保存草稿。
js-draft-from-changed = 你有一份来自 { $when } 的未保存草稿（此后页面已更改；保存时会与这些更改合并）。
js-uploading = 正在上传 { $name }…
js-uploaded = 已上传 { $name }。
js-upload-failed = 无法上传 { $name }：{ $error }
js-file-too-large = 文件太大
js-bold-text = 粗体文本
js-italic-text = 斜体文本
js-picker-page = 链接到页面：输入标题的一部分
js-picker-person = 提及某人：输入名字的一部分
js-search-failed = 无法搜索：{ $error }
js-conflict-moved = 你之后已在编辑器中改动了这些行：请在那里修改。
js-conflict-both = 编辑器中保留了两者，你的在前。
js-conflict-mine = 编辑器中是你的版本。
js-conflict-theirs = 编辑器中是对方的版本。

## Notices after an action

notice-merged = 已保存：已与 { $name } 的更改合并。
notice-saved = 已保存。
notice-unchanged = 没有需要保存的更改。
notice-moved = 已移动。旧地址会重定向到这里。
notice-restored = 已恢复。

## History, changes, commits and blame

history-title = { $title } 的历史
history-hint = 要比较两个版本，请在左列（从）和右列（到）各选一个。
history-compare-from = 比较起点
history-from = 从
history-to = 到
history-change = 更改
history-author = 作者
history-when = 时间
history-lines = 行数
history-compare-from-commit = 从 { $commit } 开始比较
history-compare-to-commit = 比较到 { $commit }
history-deleted = 已删除
history-no-message = （无说明）
history-as-path = 当时为 { $path }
history-pushed-by = 由 { $who } 推送
history-compare = 比较所选版本
history-pager = 历史分页
pager-newer = 较新
pager-page = 第 { $n } 页
pager-older = 较旧
changes-feed = 在订阅阅读器中关注（Atom）
changes-filter-label = 筛选更改
changes-author-placeholder = 名字或电子邮件
changes-folder = 文件夹
changes-filter = 筛选
changes-none = 没有匹配的更改。
changes-pager = 更改分页
commit-title = 提交 { $commit }
commit-by = 作者 { $author }，
commit-pushed-by = 由 { $who } 推送，
commit-parent = 父提交
commit-files = 更改了 { $n } 个文件。
blame-title = { $title } 的逐行追溯
diff-no-changes = 文本没有更改。
changes-folder-placeholder = engineering/

## Comparing, moving and deleting

diff-title = { $title } 的更改
diff-from-to = 从 { $from } 到 { $to }
diff-views = 差异视图
diff-unified = 合并视图
diff-split = 并排
diff-full = 显示更多（整页）
move-title = 移动 { $title }
move-heading = 移动或重命名“{ $title }”
move-new-path = 新路径
move-hint = 旧地址仍然可用：它会重定向到新地址，指向旧名称的 Wiki 链接也仍然有效。
move-submit = 移动页面
delete-title = 删除 { $title }
delete-heading = 删除“{ $title }”？
delete-lead = 页面会从 Wiki 中消失，但不会丢失任何内容：它的历史保留了每个版本，任何人都可以从旧地址恢复它。
delete-why = 原因？（可选）
delete-submit = 删除页面

## New page, tags and links

new-open-existing = 打开该页面
new-or-another-name = ，或换一个名字。
new-suggestion = 下方字段已相应填写：创建它，或修改这些字段。
new-title-hint = 页面的主题，即读者看到的标题，例如“我们如何部署”。
new-top-level = （顶层）
new-folder-hint = 现有文件夹或新文件夹：用连字符连接的小写单词，例如 { $example }。
new-name = 地址中的名称
new-name-placeholder = 由标题生成
new-name-hint = 留空则由标题生成：用连字符连接的小写单词。
new-address = 页面地址将是
new-start-from = 起始模板
new-blank = 空白页面
new-create = 创建
tags-count = { $n } 个标签
tags-none = 还没有页面带标签。在页面的前置元数据中加入 { $example }。
tag-title = 标签“{ $tag }”
tag-feed-title = 标签为 { $tag } 的页面的更改
tag-sort-by = 排序方式
tag-sort-title = 标题
tag-sort-changed = 最近更改
tag-feed = 更改订阅（Atom）
tag-all = 所有标签
links-broken = 失效链接
links-orphans = 孤立页面
links-broken-lead = 指向尚不存在的页面和缺失文件的链接，最常被引用的排在前面（即 { $command } 报告的内容）。
links-orphans-lead = 没有其他页面链接到的页面：请从大家常看的地方链接它们。
links-missing = 缺失
links-linked-from = 链接来源
links-none-broken = 所有链接都指向存在的页面。
links-none-orphans = 每个页面都有链接指向。

## People

people-lead = 所有在这里写过内容的人，按其至今仍保留在页面上的行数排列。
people-indexing = 作者信息仍在索引中；数据可能不完整。
people-needs-attention = 需要关注
people-person = 成员
people-lines-standing = 仍保留的行数
people-commits = 提交数
people-accepted = 被采纳的回答
people-last-active = 最近活跃
people-lines = 行数
person-since = 自 { $date } 起
person-hand-over = 移交其页面
person-last-active = 最近活跃于{ $when }
person-answers = 回答
person-answers-accepted = { $n }（{ $accepted } 个被采纳）
person-strongest = 最擅长
person-tag-lines = { $n } 行
person-pages = 其仍保留的内容
person-their-lines = 其行数
person-share = 占比
person-main-author = 主要作者
person-none = 其内容目前都不在页面上了。
follow-link-title = 在收件箱中接收 { $label } 的动态
follow-link = 关注

## Following and the inbox

follow-this = 
    { $kind ->
        [page] 此页面
        [folder] 此文件夹
        [tag] 此标签
        [question] 此问题
       *[person] 此人
    }
follow-title = 关注 { $label }
follow-following = 你关注了{ $this }：它的动态会进入你的{ $inbox }。
follow-inbox = 收件箱
follow-muted = 你已将{ $this }设为免打扰：不会收到任何相关动态。
follow-offer = 关注{ $this }，即可在{ $inbox }中收到它的动态；或设为免打扰，不再收到任何消息。
follow-mute = 免打扰
follow-unmute = 取消免打扰
follow-unfollow = 取消关注
follow-everything = 你关注的全部内容
follows-title = 你的关注
follows-lead = 这些内容的更改会进入你的{ $inbox }。Lore 会自动关注你创建、编辑、提问或回答的内容；免打扰的内容永远不会打扰你。
follows-what = 内容
follows-kind = 类型
follows-since = 起始时间
actions = 操作
follows-muted = 免打扰
follows-automatic = 自动
follow-kind = 
    { $kind ->
        [page] 页面
        [folder] 文件夹
        [tag] 标签
        [question] 问题
       *[person] 人员
    }
follows-none = 你还没有关注任何内容。在页面、文件夹、标签、问题或人员上使用“关注”按钮。
inbox-unread = { $n } 条未读。
inbox-nothing-unread = 没有未读消息。
inbox-show-all = 显示全部
inbox-show-unread = 仅显示未读
inbox-mark-all = 全部标为已读
inbox-mark-read = 标为已读
inbox-empty = 这里还什么都没有。关注页面、文件夹、标签、问题或人员后，它们的动态会显示在这里。

## Search results

search-title = 搜索：{ $query }
search-results-for = “{ $query }”的搜索结果
search-count = { $n } 个结果，用时 { $ms } 毫秒
search-indexing = 索引仍在构建中，结果可能不完整
search-showing-for = 没有“{ $query }”的结果。显示的是 { $corrected } 的结果。
search-did-you-mean = 你是不是要找 { $suggestion }？
page-kind = 
    { $kind ->
        [page] 页面
        [question] 问题
       *[other] { $kind }
    }
search-accepted-answer = 已采纳的回答：
search-nothing = Wiki 中还没有与“{ $query }”匹配的内容。
search-try = 试试更少或不同的词，或者问问懂行的人。
search-didnt-find = 没找到？
search-ask = 将此作为问题提出
search-pager = 结果分页
pager-previous = 上一页
pager-next = 下一页
search-filters = 筛选
search-filter-results = 筛选结果
search-experts = 谁了解这个？
search-expert-lines = 匹配页面中仍保留的行数
search-expert-answers = { $n } 个被采纳的回答
search-facet-kind = 类型
search-facet-language = 语言
search-facet-folders = 文件夹

## Account pieces, verifying, promoting, unsubscribing

tokens-user = 用户
tokens-name = 名称
tokens-created = 创建时间
tokens-last-used = 上次使用
tokens-revoke = 撤销
role = 
    { $role ->
        [reader] 读者
        [editor] 编辑者
        [admin] 管理员
       *[other] { $role }
    }
verify-title = 核实 { $title }
verify-heading = “{ $title }”仍然正确吗？
verify-lead = 标记为已核实会在一次提交中把今天的日期和你的名字记录到前置元数据中，并重新开始审阅周期。
verify-edit = 不，去编辑
promote-title = 将此回答转为页面
promote-lead = 页面会链接回问题，问题也会链接到页面。请调整文本，使其读起来像文档。
promote-path = 页面路径
promote-submit = 创建页面
unsubscribe = 退订
unsubscribe-done = 
    { $list ->
        [for_me] 完成：{ $user } 将不再收到关于提及和向其提问的电子邮件。
        [following] 完成：{ $user } 将不再收到关于其关注内容的电子邮件。
       *[other] 完成：{ $user } 将不再收到任何电子邮件。
    }
unsubscribe-inbox = Wiki 上的收件箱仍会显示所有内容。如果改变主意，请登录并打开{ $settings }。
unsubscribe-settings = 你的通知设置
unsubscribe-ask = 
    { $list ->
        [for_me] 停止向 { $user } 发送关于提及和向其提问的电子邮件？
        [following] 停止向 { $user } 发送关于其关注内容的电子邮件？
       *[other] 停止向 { $user } 发送本 Wiki 的所有电子邮件？
    }

## Questions

questions-feed-title = 新问题
questions-tagged = 标签为“{ $tag }”的问题
questions-ask = 提问
questions-feed = 关注新问题（Atom）
questions-filter = 筛选问题
questions-answered = 已回答
questions-open = 待回答
questions-answers = { $n } 个回答
questions-asked-by = 由 { $who } 提问
questions-active = 最近活动：{ $when }
questions-none = 这里还没有问题。
ask-lead = 懂行的人会在这里回答，后来提问的人也都能找到这个答案。
ask-question = 你的问题
ask-placeholder = 如何在家访问 VPN？
ask-similar = 已经有答案了？这些看起来相似：
ask-details = 详细信息
ask-details-note = Markdown：你尝试过什么，需要什么
ask-tags-note = 用逗号分隔
ask-tags-placeholder = it, vpn
ask-submit = 提问
questions-filter-label = 
    { $filter ->
        [unanswered] 未回答
        [answered] 已回答
        [mine] 我提的问题
       *[all] 全部
    }
question-feed-title = 此问题的回答
question-asked-by = 由 { $who } 提问
question-feed = 回答订阅（Atom）
question-promoted = 此回答现已成为 Wiki 页面：
question-read-page = 阅读页面。
question-accepted = ✓ 已采纳的回答
question-accept = 采纳此回答
question-promote = 转为 Wiki 页面
question-experts = 可能知道的人：
question-your-answer = 你的回答
question-your-answer-markdown = 你的回答（Markdown）
question-answer-placeholder = 写下你希望自己当初能找到的答案（支持 Markdown）。
question-post = 发布回答

## Review

review-hand-over = 移交页面
review-feed-title = 需要审阅的页面
review-hand-over-person = 移交 { $person } 的页面
review-hand-over-lead = { $person } 负责或主要编写的所有内容。选择页面，指定新的负责人，并在一次提交中完成移交。
review-lead = 已过审阅日期的页面、负责人或主要作者已离开的页面、未回答的问题和失效链接。
review-feed = 关注（Atom）
review-upkeep = 本 Wiki 的维护情况
review-unowned-link = 查看 { $n } 个无负责人的页面
review-unowned-then = ，选择一些并在下方为它们指定负责人（一次提交）。
review-untouched-link = 查看 { $n } 个一年未编辑的页面
review-untouched-then = ，最旧的排在前面：逐一阅读，然后编辑或标记为已核实。
review-front-matter-tip = 或者在页面的前置元数据中写入 { $owners } 和 { $review }：到期需要审阅时，它会再次出现在这里。
review-filter = 按原因筛选
review-all = 全部
review-reason = 
    { $reason ->
        [review] 已过审阅日期
        [owner] 负责人已离开
        [author] 主要作者已离开
        [unanswered] 未回答
        [unowned] 无负责人
        [untouched] 一年未编辑
       *[other] 失效链接
    }
review-departed = 已离开的人：
review-shown = 显示 { $total } 个页面中的 { $shown } 个。
review-choose = 选择
review-why = 原因
review-last-edit = 最后编辑
review-choose-page = 选择 { $title }
review-mark-verified = 标记为已核实
review-give-to = 将所选页面交给
review-owner-placeholder = 名字 <电子邮件> 或团队
review-assign = 指定负责人
review-pager = 列表分页
review-well-kept = 没有需要关注的内容。维护得很好！
review-nothing-due = 没有页面超过审阅日期，没有负责人离开，也没有失效链接：缺少什么请看上方。

## Notifications

notifications = 通知
notifications-no-mail = 此 Wiki 尚未发送电子邮件（由管理员在 { $file } 中设置）。你的选择会保留到启用之时。
notifications-for-me = 关于提及我和向我提问的电子邮件
notifications-frequency = 
    { $frequency ->
        [instant] 立即
        [daily] 每日摘要
        [weekly] 每周摘要
       *[other] 关闭
    }
notifications-following = 关于我关注内容的电子邮件
notifications-auto-follow = 关注我创建、编辑、提问或回答的内容
notifications-hint = 摘要每天发送一次（每周摘要在周一）。每封邮件都有无需登录即可退订的链接。
notifications-need-login = 通知需要登录。
notifications-open-mode = 此 Wiki 以开放模式运行，没有账户：无人可以接收电子邮件。发到聊天工具的 Webhook 仍然有效。

## Administration

admin-title = 管理
admin-summary = 
    { $mode } 模式 · 匿名阅读{ $anonymous ->
        [on] 开启
       *[off] 关闭
    } · 新账户：{ $role } · { $sessions } 个活动会话
admin-health = 仓库和索引
admin-repository = 仓库
admin-head = 最新提交
admin-empty = 空
admin-pages-files = { $pages } 个页面，{ $files } 个文件
admin-history-index = 历史索引
admin-ready = 就绪
admin-building = 构建中…
admin-search-index = 搜索索引
admin-current = 最新
admin-catching-up = 正在追赶（位于 { $commit }）
admin-accounts = 账户
admin-columns-local = 名字、电子邮件、角色、组、状态
admin-columns = 角色、组、状态
admin-disabled = 已停用
admin-role = 角色
admin-groups = 组
admin-groups-placeholder = 组，用逗号分隔
admin-no-accounts = 还没有账户。
admin-add-account-title = 添加账户
admin-new-groups-placeholder = hr, legal
admin-first-password = 初始密码（至少 8 个字符）
admin-add-account = 添加账户
admin-no-tokens = 没有令牌。
admin-delivery = 电子邮件和 Webhook
admin-mail = { $server }，发件人 { $from } · 摘要于 UTC { $hour }:00 发送
admin-mail-off = 关闭（{ $file } 中没有 { $key }）
admin-webhooks = Webhook
admin-webhook-to = { $format } 发往 { $host }
admin-webhook-paths = 路径 { $paths }
admin-webhook-tags = 标签 { $tags }
admin-none = 无
admin-deliveries = 最近的 Webhook 投递
admin-webhook = Webhook
admin-event = 事件
admin-status = 状态
admin-attempts = 尝试次数
admin-last-error = 最近错误
admin-next-try = （下次尝试 { $at }）
admin-no-deliveries = 还没有 Webhook 投递。
admin-rules = 文件夹规则
admin-rule-read = 读取：{ $who }
admin-rule-edit = 编辑：{ $who }
admin-no-rules = 无：仅由角色决定。
admin-proxies = 受信任的代理：
admin-change-rules = 请在 { $file } 中修改（参见 { $doc }）并重启。

## Messages handlers show in forms

login-too-many = 登录失败次数过多。请 { $minutes } 分钟后重试。
login-wrong = 用户名或密码错误。
password-mismatch = 两次输入的新密码不一致。
password-too-many = 密码错误次数过多。请 { $minutes } 分钟后重试。
password-wrong = 你的当前密码不正确。

## What happened, in the inbox, e-mails, digests and chat posts

event-someone = 有人
event-page-created = { $actor } 创建了“{ $title }”
event-page-changed = { $actor } 修改了“{ $title }”
event-page-deleted = { $actor } 删除了“{ $title }”
event-page-moved = { $actor } 移动了“{ $title }”
event-question-asked = { $actor } 提问：“{ $title }”
event-question-for-you = 你可能知道答案：{ $actor } 提问“{ $title }”
event-answer-posted = { $actor } 回答了“{ $title }”
event-answer-accepted = { $actor } 采纳了“{ $title }”的一个回答
event-mentioned = { $actor } 在“{ $title }”中提到了你
event-review-due = “{ $title }”需要审阅
event-owner-departed = “{ $title }”需要新的负责人
event-other = { $actor }：{ $kind }“{ $title }”
event-summary-moved = 从 { $from } 移来
event-summary-removed = 删除：{ $lines }
event-summary-front-matter = 修改了 front matter
event-summary-deleted = 已删除
event-summary-unanswered = 仍未回答：{ $title }
event-summary-review-since = 自 { $since } 起需要审阅
event-summary-owner-left = { $name } 已离开：此页面需要新的负责人
inbox-n-changes = 
    { $n ->
       *[other] （{ $n } 次更改）
    }
why-mentioned = 有人提到了你
why-owner = 你是此页面的负责人
why-own-answer = 这是你的回答
why-expert = Wiki 认为你可能知道答案
why-follow = 
    { $kind ->
        [page] 你关注了页面 { $target }
        [folder] 你关注了文件夹 { $target }
        [tag] 你关注了标签 { $target }
        [person] 你关注了 { $target }
        [question] 你关注了问题 { $target }
       *[other] 你关注了 { $target }
    }
why-for-me = 这与你有关
why-following = 这与你关注的内容有关
why-digest = 
    { $period ->
        [weekly] 你选择了每周摘要
       *[other] 你选择了每日摘要
    }
mail-open-it = 打开：{ $url }
mail-open-in = 在 { $site } 中打开
mail-why = 你收到此邮件的原因：{ $why }。
mail-settings = 更改 { $site } 给你发邮件的方式
mail-unsubscribe = 退订
digest-subject = 
    { $period ->
        [weekly] 你的每周摘要：{ $n } 条更新
       *[other] 你的每日摘要：{ $n } 条更新
    }
digest-intro = 
    { $period ->
        [weekly] 来自 { $site } 的每周摘要：{ $n } 条更新。
       *[other] 来自 { $site } 的每日摘要：{ $n } 条更新。
    }
digest-times = 
    { $n ->
       *[other] （{ $n } 次）
    }
digest-more = 
    { $n ->
       *[other] ……收件箱中还有 { $n } 条
    }
digest-inbox = 你的收件箱

## Why a page is on the review radar, and how the wiki is kept

review-reason-past-date = 自 { $since } 起需要审阅
review-reason-owner-departed = 负责人 { $owner } 已离开
review-reason-owner-inactive = 负责人 { $owner } 已不活跃
review-reason-author-departed = 大部分内容由 { $name } 撰写，此人已离开
review-reason-unanswered = 
    { $days ->
       *[other] { $days } 天无人回答
    }
review-reason-broken-links = 
    { $n ->
       *[other] { $n } 个失效链接
    }
review-reason-owned-by = 负责人：{ $owner }
review-reason-mostly-written-by = 主要由 { $name } 撰写
review-reason-no-owner = 没有负责人
review-reason-untouched = 自 { $since } 起未编辑或核实
upkeep-without-owner = 
    { $n ->
       *[other] { $n } 个页面没有负责人
    }
upkeep-none-owned = 
    { $n ->
       *[other] 全部 { $n } 个页面都没有负责人
    }
upkeep-all-untouched = 全部在一年多以前最后编辑
upkeep-untouched = 
    { $n ->
       *[other] { $n } 个在一年多以前最后编辑
    }
upkeep-no-review-dates = 没有页面设置审阅日期
upkeep-without-review-date = 
    { $n ->
       *[other] { $n } 个没有审阅日期
    }
upkeep-separator = { "；" }
upkeep-summary = { $parts }。

## Why a diff shows no lines

diff-note-long = 此差异很长：只显示前 { $n } 行。
diff-note-binary = 二进制文件：没有逐行差异。
diff-note-too-large = 此文件太大，无法在此比较。

## Atom feeds and the app manifest

feed-changes = { $site }：最近更改
feed-changes-in = { $site }：{ $folder } 中的最近更改
feed-changes-tagged = { $site }：标签为 { $tag } 的最近更改
feed-changes-in-tagged = { $site }：{ $folder } 中标签为 { $tag } 的最近更改
feed-no-message = （无说明）
feed-changed-paths = 已更改：{ $paths }
feed-questions = { $site }：问题
feed-questions-tagged = { $site }：标签为 { $tag } 的问题
feed-question-summary = 
    { $n ->
       *[other] { $n } 个回答
    }；{ $status ->
        [answered] 已解决
       *[other] 未解决
    }
feed-someone = 某人
feed-answers = 回答：{ $title }
feed-answer-by = { $name } 的回答
feed-review = 需要审阅的页面
feed-review-owner = { $owner } 负责的需要审阅的页面
manifest-description = { $site }：Wiki，最近读过的页面可离线阅读

## Reading offline (the service worker)

js-offline-copy = 离线副本，保存于 { $date }。
js-offline-earlier-visit = 之前的访问
js-offline-may-have-changed = 你已离线；此页面之后可能已有更改。
js-offline-title = 离线
js-offline-heading = 你已离线
js-offline-no-copy = 此设备上没有 { $path } 的离线副本。你在线时阅读的页面会保存在这里，最多保留最近的 { $n } 个。
js-offline-readable = 可离线阅读的页面

## What handlers tell people in forms and notices

new-page-exists = { $url } 已有页面。
new-page-against-hint = 地址由连字符连接的小写单词组成，因此“{ $typed }”应为 { $better }。
new-page-title-no-letters = 标题至少需要一个字母或数字才能生成地址。
replica-not-caught-up = 已保存。此服务器尚未同步你的更改，几秒钟后会显示在这里
history-message-hidden = （此提交还更改了你无权阅读的页面，因此不显示其说明。）
error-no-theme-file = 此主题没有这个文件。
error-get-only = 此地址只响应 GET 请求。
error-nothing-here = 此地址没有任何内容。
error-no-service-worker = 此主题没有 Service Worker。
