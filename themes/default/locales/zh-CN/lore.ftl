# Lore 界面（简体中文）。

## Dates and times

date-time = { $year }年{ $month }月{ $day }日 { $time } UTC
time-just-now = 刚刚
time-minutes-ago = { $n } 分钟前
time-hours-ago = { $n } 小时前
time-days-ago = { $n } 天前
time-months-ago = { $n } 个月前
time-years-ago = { $n } 年前

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
