# Lore のインターフェース（日本語）。

## Dates and times

date-time = { $year }年{ $month }月{ $day }日 { $time } UTC
time-just-now = たった今
time-minutes-ago = { $n } 分前
time-hours-ago = { $n } 時間前
time-days-ago = { $n } 日前
time-months-ago = { $n } か月前
time-years-ago = { $n } 年前

## The frame of every page

skip-to-content = 本文へスキップ
open-mode-banner = この Wiki はオープンモードで動いています。アクセスできる人は誰でもすべてのページを閲覧・編集できます。
search-label = Wiki を検索
search-placeholder = 検索（/ キー）
search-button = 検索
menu = メニュー
close = 閉じる
nav-main = メイン
nav-all-pages = すべてのページ
nav-questions = 質問
nav-questions-waiting = 回答待ち { $n } 件
nav-questions-open = 未回答
nav-people = メンバー
nav-review = レビュー
nav-tags = タグ
nav-recent-changes = 最近の変更
nav-new-page = 新しいページ
nav-breadcrumb = パンくずリスト
nav-home = ホーム
git-recipe-title = git で編集
git-recipe-steps = 編集してコミットし、{ $push }
nav-more = その他

## Account links in the header

nav-inbox = 受信箱
nav-inbox-unread = 未読
nav-admin = 管理
nav-your-account = あなたのアカウント
log-out = ログアウト
log-in = ログイン

## Error pages

error-title-server = 問題が発生しました
error-status = エラー { $status }
error-title-404 = 見つかりません
error-title-403 = 許可されていません
error-title-401 = ログインしてください
error-title-429 = 試行回数が多すぎます
error-title-409 = 他の人がこれを変更しました
error-title-other = うまくいきませんでした
error-server-explanation = これはあなたではなく、こちら側の問題です。少し待ってから再試行すると直ることがよくあります。繰り返し起きる場合は、この Wiki の管理者に知らせてください。
error-go-home = ホームページへ
error-browse-pages = すべてのページを見る

## Pages and folders

not-found-title = 見つかりません: { $path }
not-found-lead = このページはまだありません。
not-found-create = このページを作成
not-found-search = 「{ $path }」を検索
page-revision-banner = { $author } による { $date } の版（{ $commit }）を表示しています
page-view-current = 現在の版を見る
page-compare-current = 現在の版と比較
page-restore-version = この版に戻す
page-undo-restore = 復元を取り消す
page-actions = ページの操作
page-edit = 編集
page-history = 履歴
page-blame = 行ごとの履歴
page-raw = ソース
page-move = 移動
page-delete = 削除
page-git-steps = { $path } を編集してコミットし、{ $push }
page-last-edited = 最終編集
page-last-edited-by-when = 最終編集: { $who }、{ $when }
page-last-edited-by = 最終編集: { $who }
page-stewardship = 担当とレビュー
page-owners = 担当: { $owners }
page-owners-left = { $names } は退職済み
page-no-owner = 担当者なし
page-needs-review = { $since } からレビューが必要
page-verified-by = { $date } に { $who } が確認済み
page-verified = { $date } に確認済み
page-mark-verified = 確認済みにする
page-health = 貢献者 { $contributors } 人 · { $links } ページからリンク
page-edited-when = { $when } に編集
page-problem = このページの問題:
page-translations = 翻訳
page-also-in = 他の言語:
page-backlinks = このページへのリンク
page-contents = 目次
page-pages = ページ
tree-more = ほか { $n } 件
tree-more-in = { $folder } にほか { $n } 件
tree-pages-in = { $folder } のページ
page-navigation = ナビゲーション
page-on-this-page = このページの内容
page-sidebar = サイドバー
page-tree = ページツリー
nav-random = ランダムなページ
folder-title = { $folder } の一覧
folder-empty = このフォルダーは空です。
pages-count = { $n } ページ
pages-empty = Wiki にはまだページがありません。
pages-write-first = 最初のページを書きましょう。
deleted-title = 削除済み: { $title }
deleted-lead = このページは { $when } に { $who } が削除しました。
deleted-explanation = 履歴にはすべての版が残っています。復元すると、最後の版が新しい変更として戻ります。
deleted-restore = 復元
deleted-history = ページの履歴を見る
login-proxy = この Wiki には会社のログインでサインインします。会社から案内されたアドレスで開いてください。
login-username = ユーザー名
login-password = パスワード
login-help = アカウントがない、またはパスワードを忘れた場合は、この Wiki の管理者に尋ねてください。

## Account

account-title = あなたのアカウント
account-groups = グループ: { $groups }
account-mode = { $mode } モード
account-open-mode = この Wiki はオープンモードで動いています。アカウントはなく、編集はブラウザーが覚えている名前で署名されます。
account-new-token = 新しいトークンです。今すぐコピーしてください。表示は一度だけです。
account-notifications-link = 通知: メンション、質問、フォロー中の内容のメール
account-profile = プロフィール
account-name = 名前（編集の署名に使われます。他のアカウントと同じ名前は使えません）
account-email = メールアドレス
account-email-hint = 編集はこのアドレスで署名されるため、変更できるのは管理者だけです。
account-save-profile = プロフィールを保存
account-from-proxy = { $who } — 会社のログインから取得。
account-current-password = 現在のパスワード
account-new-password = 新しいパスワード（8 文字以上）
account-new-password-again = 新しいパスワード（確認）
account-password-hint = 変更すると、他のすべての場所でログアウトされます。
account-change-password = パスワードを変更
account-tokens = 個人トークン
account-tokens-hint = git（パスワードとして）と API（{ $header }）用です。
account-no-tokens = トークンはまだありません。
account-token-name = 新しいトークンの名前
account-token-placeholder = ノートPC の git
account-create-token = トークンを作成
account-language = 言語
account-language-label = Lore の表示言語
account-language-browser = ブラウザーの設定に従う
account-language-save = 言語を保存

## The editor

edit-title-new = { $title } を作成
edit-title = { $title } を編集
edit-new-page-at = 新しいページの場所:
edit-section-only = セクション { $section } のみ
edit-not-saved = 保存されていません。
edit-conflict-lead = あなたが編集している間に { $who } がこのページを変更しました。何も保存されておらず、入力した内容も失われていません。
edit-conflict-rows = 下のエディターには両方の版をまとめたものが入っています。同じ行を両方が変更した箇所はあなたの版になっています。それぞれ選んでください:
edit-conflict-row-front-matter = 変更 { $number }: フロントマター、{ $line } 行目
edit-conflict-row = 変更 { $number }: { $line } 行目
edit-conflict-theirs = 相手の版（{ $who }）
edit-conflict-they-removed = （相手がこれらの行を削除しました）
edit-conflict-yours = あなたの版
edit-conflict-you-removed = （あなたがこれらの行を削除しました）
edit-conflict-change = 変更 { $number }
edit-keep-mine = 自分の版を残す
edit-keep-theirs = 相手の版を残す
edit-keep-both = 両方残す
edit-conflict-merged = 下のエディターには両方の版をまとめたものが入っています。確認して保存してください。
edit-conflict-diff = すべての差分: 相手の版とあなたの版の比較
edit-conflict-their-version = 相手の版の全文
edit-conflict-hint = 保存すると、相手の版がエディターの内容で置き換わります。
edit-draft = 保存されていない下書きがあります。
edit-draft-restore = 下書きを復元
edit-draft-discard = 破棄
edit-field-title = タイトル
edit-tags-hint = カンマ区切り。例: networking, how-to
edit-field-owners = 担当者
edit-owners-hint = このページを正しく保つ人: メールアドレスまたはチーム（カンマ区切り）
edit-advanced = 詳細: フロントマター（YAML）
edit-front-matter-problem = フロントマターの問題: { $problem }
edit-front-matter-label = フロントマター（{ $marker } の行は除く）
edit-front-matter-hint = ページのすべての設定（{ $example1 } や { $example2 } など）。上でタイトル、タグ、担当者を変更すると、保存時にここへ書き込まれます。
edit-tabs = 表示
edit-tab-write = 編集
edit-preview = プレビュー
edit-section-text = セクションの本文（Markdown）
edit-page-text = ページの本文（Markdown）
edit-toolbar = 書式
edit-tool-heading = 見出し
edit-tool-bold = 太字
edit-tool-italic = 斜体
edit-tool-link = リンク
edit-tool-page-link = ページへのリンク
edit-tool-page-link-title = この Wiki のページへのリンク
edit-tool-page = ページ
edit-tool-mention = 誰かにメンション
edit-tool-bullets = 箇条書き
edit-tool-list = リスト
edit-tool-tasks-label = タスク: チェックリスト
edit-tool-task-list = タスクリスト
edit-tool-tasks = タスク
edit-tool-table = 表
edit-tool-code = コード
edit-tool-quote = 引用
edit-tool-upload = 画像やファイルをアップロード
edit-tool-upload-short = アップロード
edit-picker-label = ページを探す
edit-picker-hint = ↑ ↓ で選択、Enter で挿入、Esc で本文に戻る
edit-text-placeholder = ここにページを書きます。書き方はツールバーと下の早見表を見てください。
edit-text-hint = Markdown: **太字**、[[ページ名]]、## 見出し。詳しくは下の早見表へ。
edit-text-hint-front-matter = フロントマター（タイトル、タグなど）は先頭の --- の行の間に書きます
edit-attach = ファイルを添付
edit-drop-hint = 画像やファイルを本文にドロップするとアップロードされます
edit-cheat-sheet = Markdown 早見表とキーボードショートカット
edit-cheat-want = やりたいこと
edit-cheat-type = 入力するもの
edit-cheat-shortcut = ショートカット
edit-cheat-heading = セクション見出し
edit-cheat-bold = 太字、斜体
edit-cheat-numbered = 番号付きリスト
edit-cheat-page-link = ページへのリンク
edit-cheat-image = 画像
edit-cheat-image-how = アップロードするか、ファイルを本文にドロップ
edit-cheat-code-block = またはブロック:
edit-cheat-callout = 注記
edit-cheat-also = ほかに
edit-save = 保存
edit-cheat-mac = Mac では { $ctrl } の代わりに { $cmd } を使います。ツールバーでは矢印キーでボタン間を移動できます。
edit-cheat-guide = Lore で表示できるすべて: Markdown ガイド
edit-your-name = あなたの名前
edit-your-email = あなたのメールアドレス
edit-message = 変更内容の説明
cancel = キャンセル
edit-save-hint = Ctrl+S で保存

## Scripts

js-section-link = このセクションへのリンク
js-suggestions = 候補
js-pages-in = { $folder } のページ
js-more = ほか { $n } 件
js-copied = コピーしました
js-copy = コピー
js-shortcuts = キーボードショートカット
js-shortcut-search = 検索
js-shortcut-help = このヘルプ
js-shortcut-edit = このページを編集
js-shortcut-save = 保存（エディター内）
js-close = 閉じる
js-time-just-now = たった今
js-preview-failed = プレビューを更新できませんでした: { $error }
js-network-error = ネットワークエラー
js-draft-earlier-visit = 以前の訪問
js-draft-from = { $when } の保存されていない下書きがあります。
js-draft-from-changed = { $when } の保存されていない下書きがあります（その後ページが変更されました。保存するとその変更とマージされます）。
js-uploading = { $name } をアップロード中…
js-uploaded = { $name } をアップロードしました。
js-upload-failed = { $name } をアップロードできませんでした: { $error }
js-file-too-large = ファイルが大きすぎます
js-bold-text = 太字のテキスト
js-italic-text = 斜体のテキスト
js-picker-page = ページへのリンク: タイトルの一部を入力
js-picker-person = 誰かにメンション: 名前の一部を入力
js-search-failed = 検索できませんでした: { $error }
js-conflict-moved = その後エディターでこれらの行を変更しています。エディターで直してください。
js-conflict-both = エディターには両方が入っています（あなたの版が先）。
js-conflict-mine = エディターにはあなたの版が入っています。
js-conflict-theirs = エディターには相手の版が入っています。

## Notices after an action

notice-merged = 保存しました: { $name } の変更とマージしました。
notice-saved = 保存しました。
notice-unchanged = 保存する変更はありません。
notice-moved = 移動しました。古いアドレスはここへ転送されます。
notice-restored = 復元しました。

## History, changes, commits and blame

history-title = { $title } の履歴
history-hint = 2 つの版を比べるには、左の列（比較元）と右の列（比較先）で 1 つずつ選びます。
history-compare-from = 比較元
history-from = 比較元
history-to = 比較先
history-change = 変更
history-author = 作成者
history-when = 日時
history-lines = 行数
history-compare-from-commit = { $commit } から比較
history-compare-to-commit = { $commit } まで比較
history-deleted = 削除
history-no-message = （メッセージなし）
history-as-path = 旧名 { $path }
history-pushed-by = { $who } がプッシュ
history-compare = 選んだ版を比較
history-pager = 履歴のページ
pager-newer = 新しい順
pager-page = { $n } ページ目
pager-older = 古い順
changes-feed = フィードリーダーで購読（Atom）
changes-filter-label = 変更を絞り込む
changes-author-placeholder = 名前またはメール
changes-folder = フォルダー
changes-filter = 絞り込む
changes-none = 該当する変更はありません。
changes-pager = 変更のページ
commit-title = コミット { $commit }
commit-by = 作成者 { $author }、
commit-pushed-by = { $who } がプッシュ、
commit-parent = 親コミット
commit-files = { $n } 個のファイルを変更。
blame-title = { $title } の行ごとの履歴
diff-no-changes = 本文に変更はありません。
changes-folder-placeholder = engineering/

## Comparing, moving and deleting

diff-title = { $title } の変更
diff-from-to = { $from } から { $to } まで
diff-views = 差分の表示
diff-unified = 統合表示
diff-split = 左右に並べる
diff-full = もっと表示（ページ全体）
move-title = { $title } を移動
move-heading = 「{ $title }」を移動または名前変更
move-new-path = 新しいパス
move-hint = 古いアドレスも引き続き使えます。新しいアドレスへ転送され、古い名前への Wiki リンクもそのまま機能します。
move-submit = ページを移動
delete-title = { $title } を削除
delete-heading = 「{ $title }」を削除しますか？
delete-lead = ページは Wiki から消えますが、何も失われません。履歴にすべての版が残り、誰でも古いアドレスから復元できます。
delete-why = 理由（任意）
delete-submit = ページを削除

## New page, tags and links

new-open-existing = そのページを開く
new-or-another-name = 、または別の名前を選んでください。
new-suggestion = 下の欄はそのように入力されています。作成するか、変更してください。
new-title-hint = 読む人に見えるページの題名。例:「デプロイの手順」
new-top-level = （最上位）
new-folder-hint = 既存のフォルダーか新しいフォルダー。小文字の単語をハイフンでつなげます（例: { $example }）。
new-name = アドレス内の名前
new-name-placeholder = タイトルから作成
new-name-hint = 空欄にするとタイトルから作られます（小文字の単語をハイフンでつなげます）。
new-address = ページの場所:
new-start-from = 開始点
new-blank = 空白のページ
new-create = 作成
tags-count = { $n } 個のタグ
tags-none = タグの付いたページはまだありません。ページのフロントマターに { $example } を追加してください。
tag-title = タグ「{ $tag }」
tag-feed-title = タグ { $tag } のページの変更
tag-sort-by = 並べ替え:
tag-sort-title = タイトル
tag-sort-changed = 最終変更
tag-feed = 変更のフィード（Atom）
tag-all = すべてのタグ
links-broken = リンク切れ
links-orphans = 孤立したページ
links-broken-lead = まだないページや見つからないファイルへのリンク。多く参照されている順（{ $command } が報告する内容）。
links-orphans-lead = 他のどのページからもリンクされていないページです。よく見られる場所からリンクしましょう。
links-missing = 見つからないもの
links-linked-from = リンク元
links-none-broken = すべてのリンクが存在するページを指しています。
links-none-orphans = すべてのページがどこかからリンクされています。

## People

people-lead = ここで書いたすべての人を、今もページに残っている行数で並べています。
people-indexing = 作成者情報はまだインデックス中です。数値が不完全な場合があります。
people-needs-attention = 要対応
people-person = 人
people-lines-standing = 残っている行数
people-commits = コミット数
people-accepted = 採用された回答
people-last-active = 最終活動
people-lines = 行数
person-since = { $date } から
person-hand-over = ページを引き継ぐ
person-last-active = 最終活動 { $when }
person-answers = 回答
person-answers-accepted = { $n }（採用 { $accepted }）
person-strongest = 得意分野
person-tag-lines = { $n } 行
person-pages = 今も残っている執筆内容
person-their-lines = 本人の行数
person-share = 割合
person-main-author = 主な作成者
person-none = 今のページには本人の行は残っていません。
follow-link-title = { $label } の動きを受信箱で受け取る
follow-link = フォロー

## Following and the inbox

follow-this = 
    { $kind ->
        [page] このページ
        [folder] このフォルダー
        [tag] このタグ
        [question] この質問
       *[person] この人
    }
follow-title = { $label } をフォロー
follow-following = { $this }をフォローしています。動きは{ $inbox }に届きます。
follow-inbox = 受信箱
follow-muted = { $this }をミュートしています。何も届きません。
follow-offer = { $this }をフォローすると動きが{ $inbox }に届きます。ミュートすると何も届きません。
follow-mute = ミュート
follow-unmute = ミュート解除
follow-unfollow = フォロー解除
follow-everything = フォロー中のすべて
follows-title = フォロー中
follows-lead = これらの変更は{ $inbox }に届きます。作成・編集・質問・回答したものは Lore が自動でフォローします。ミュートしたものは届きません。
follows-what = 対象
follows-kind = 種類
follows-since = 開始日
actions = 操作
follows-muted = ミュート中
follows-automatic = 自動
follow-kind = 
    { $kind ->
        [page] ページ
        [folder] フォルダー
        [tag] タグ
        [question] 質問
       *[person] 人
    }
follows-none = まだ何もフォローしていません。ページ、フォルダー、タグ、質問、人の「フォロー」ボタンを使ってください。
inbox-unread = 未読 { $n } 件。
inbox-nothing-unread = 未読はありません。
inbox-show-all = すべて表示
inbox-show-unread = 未読のみ表示
inbox-mark-all = すべて既読にする
inbox-mark-read = 既読にする
inbox-empty = まだ何もありません。ページ、フォルダー、タグ、質問、人をフォローすると、その動きがここに表示されます。

## Search results

search-title = 検索: { $query }
search-results-for = 「{ $query }」の検索結果
search-count = { $n } 件（{ $ms } ミリ秒）
search-indexing = インデックスを作成中のため、結果が不完全な場合があります
search-showing-for = 「{ $query }」の結果はありません。{ $corrected } の結果を表示しています。
search-did-you-mean = もしかして { $suggestion }？
page-kind = 
    { $kind ->
        [page] ページ
        [question] 質問
       *[other] { $kind }
    }
search-accepted-answer = 採用された回答:
search-nothing = Wiki には「{ $query }」に一致するものがまだありません。
search-try = 言葉を減らすか変えてみるか、詳しい人に質問してください。
search-didnt-find = 見つかりませんか？
search-ask = これを質問する
search-pager = 結果のページ
pager-previous = 前へ
pager-next = 次へ
search-filters = 絞り込み
search-filter-results = 結果を絞り込む
search-experts = 詳しい人は？
search-expert-lines = 一致したページに残っている行数
search-expert-answers = 採用された回答 { $n } 件
search-facet-kind = 種類
search-facet-language = 言語
search-facet-folders = フォルダー

## Account pieces, verifying, promoting, unsubscribing

tokens-user = ユーザー
tokens-name = 名前
tokens-created = 作成日時
tokens-last-used = 最終使用
tokens-revoke = 無効にする
role = 
    { $role ->
        [reader] 閲覧者
        [editor] 編集者
        [admin] 管理者
       *[other] { $role }
    }
verify-title = { $title } を確認
verify-heading = 「{ $title }」は今も正しいですか？
verify-lead = 確認済みにすると、今日の日付とあなたの名前が 1 回のコミットでフロントマターに記録され、レビュー期間が再開します。
verify-edit = いいえ、編集する
promote-title = この回答をページにする
promote-lead = ページは質問へ、質問はページへリンクします。ドキュメントとして読めるよう本文を調整してください。
promote-path = ページのパス
promote-submit = ページを作成
unsubscribe = 配信停止
unsubscribe-done = 
    { $list ->
        [for_me] 完了: { $user } にはメンションや本人への質問のメールが届かなくなりました。
        [following] 完了: { $user } にはフォロー中の内容のメールが届かなくなりました。
       *[other] 完了: { $user } にはメールが一切届かなくなりました。
    }
unsubscribe-inbox = Wiki の受信箱には引き続きすべて表示されます。考えが変わったら、ログインして{ $settings }を開いてください。
unsubscribe-settings = 通知設定
unsubscribe-ask = 
    { $list ->
        [for_me] { $user } へのメンションや質問のメールを停止しますか？
        [following] { $user } へのフォロー中の内容のメールを停止しますか？
       *[other] この Wiki から { $user } へのメールをすべて停止しますか？
    }

## Questions

questions-feed-title = 新しい質問
questions-tagged = タグ「{ $tag }」の質問
questions-ask = 質問する
questions-feed = 新しい質問を購読（Atom）
questions-filter = 質問を絞り込む
questions-answered = 回答済み
questions-open = 未回答
questions-answers = 回答 { $n } 件
questions-asked-by = { $who } が質問
questions-active = 最終活動 { $when }
questions-none = まだ質問はありません。
ask-lead = 詳しい人がここで回答し、その回答は次に同じことを聞く人も見つけられます。
ask-question = あなたの質問
ask-placeholder = 自宅から VPN に接続するには？
ask-similar = もう回答済みかも？ よく似た質問:
ask-details = 詳細
ask-details-note = Markdown: 試したこと、必要なこと
ask-tags-note = カンマ区切り
ask-tags-placeholder = it, vpn
ask-submit = 質問する
questions-filter-label = 
    { $filter ->
        [unanswered] 未回答
        [answered] 回答済み
        [mine] 自分の質問
       *[all] すべて
    }
question-feed-title = この質問への回答
question-asked-by = { $who } が質問
question-feed = 回答のフィード（Atom）
question-promoted = この回答は Wiki のページになりました:
question-read-page = ページを読む。
question-accepted = ✓ 採用された回答
question-accept = この回答を採用
question-promote = Wiki のページにする
question-experts = 知っていそうな人:
question-your-answer = あなたの回答
question-your-answer-markdown = あなたの回答（Markdown）
question-answer-placeholder = 自分が見つけたかった回答を書いてください（Markdown が使えます）。
question-post = 回答を投稿

## Review

review-hand-over = ページの引き継ぎ
review-feed-title = レビューが必要なページ
review-hand-over-person = { $person } のページを引き継ぐ
review-hand-over-lead = { $person } が担当していた、または主に書いたすべてのページです。ページを選び、新しい担当者を指定して、1 回のコミットで引き継ぎます。
review-lead = レビュー期限を過ぎたページ、担当者や主な作成者が退職したページ、未回答の質問、リンク切れ。
review-feed = 購読（Atom）
review-upkeep = この Wiki の手入れ状況
review-unowned-link = 担当者のいない { $n } ページを見る
review-unowned-then = 。いくつか選んで、下で担当者を設定します（1 コミット）。
review-untouched-link = 1 年間編集されていない { $n } ページを見る
review-untouched-then = 。古い順に読み、編集するか確認済みにします。
review-front-matter-tip = または、ページのフロントマターに { $owners } と { $review } を書くと、レビュー期限が来たときにここへ戻ってきます。
review-filter = 理由で絞り込む
review-all = すべて
review-reason = 
    { $reason ->
        [review] レビュー期限切れ
        [owner] 担当者が退職
        [author] 主な作成者が退職
        [unanswered] 未回答
        [unowned] 担当者なし
        [untouched] 1 年間未編集
       *[other] リンク切れ
    }
review-departed = 退職した人:
review-shown = { $total } ページ中 { $shown } ページを表示。
review-choose = 選択
review-why = 理由
review-last-edit = 最終編集
review-choose-page = { $title } を選択
review-mark-verified = 確認済みにする
review-give-to = 選んだページの担当者
review-owner-placeholder = 名前 <メール> またはチーム
review-assign = 担当者を設定
review-pager = リストのページ
review-well-kept = 対応が必要なものはありません。よく手入れされています！
review-nothing-due = レビュー期限切れも、担当者の退職も、リンク切れもありません。足りないものは上を見てください。

## Notifications

notifications = 通知
notifications-no-mail = この Wiki はまだメールを送信しません（管理者が { $file } で設定します）。選択内容は送信が始まるまで保存されます。
notifications-for-me = 自分へのメンションと質問のメール
notifications-frequency = 
    { $frequency ->
        [instant] すぐに
        [daily] 毎日のまとめ
        [weekly] 毎週のまとめ
       *[other] オフ
    }
notifications-following = フォロー中の内容のメール
notifications-auto-follow = 自分が作成・編集・質問・回答したものをフォロー
notifications-hint = まとめは 1 日 1 回（週次は月曜日）送られます。どのメールにもログインせずに配信停止できるリンクがあります。
notifications-need-login = 通知にはログインが必要です。
notifications-open-mode = この Wiki はアカウントのないオープンモードで動いているため、メールの送り先がありません。チャットへの Webhook は引き続き使えます。

## Administration

admin-title = 管理
admin-summary = 
    { $mode } モード · 匿名閲覧 { $anonymous ->
        [on] オン
       *[off] オフ
    } · 新規アカウント: { $role } · 有効なセッション { $sessions } 件
admin-health = リポジトリとインデックス
admin-repository = リポジトリ
admin-head = 先頭
admin-empty = 空
admin-pages-files = { $pages } ページ、{ $files } ファイル
admin-history-index = 履歴インデックス
admin-ready = 準備完了
admin-building = 作成中…
admin-search-index = 検索インデックス
admin-current = 最新
admin-catching-up = 追いつき中（{ $commit } まで）
admin-accounts = アカウント
admin-columns-local = 名前、メール、役割、グループ、状態
admin-columns = 役割、グループ、状態
admin-disabled = 無効
admin-role = 役割
admin-groups = グループ
admin-groups-placeholder = グループ（カンマ区切り）
admin-no-accounts = アカウントはまだありません。
admin-add-account-title = アカウントを追加
admin-new-groups-placeholder = hr, legal
admin-first-password = 初期パスワード（8 文字以上）
admin-add-account = アカウントを追加
admin-no-tokens = トークンはありません。
admin-delivery = メールと Webhook
admin-mail = { $server }（差出人 { $from }）· まとめは UTC { $hour }:00
admin-mail-off = オフ（{ $file } に { $key } がありません）
admin-webhooks = Webhook
admin-webhook-to = { $format } → { $host }
admin-webhook-paths = パス { $paths }
admin-webhook-tags = タグ { $tags }
admin-none = なし
admin-deliveries = 最近の Webhook 配信
admin-webhook = Webhook
admin-event = イベント
admin-status = 状態
admin-attempts = 試行回数
admin-last-error = 最後のエラー
admin-next-try = （次回 { $at }）
admin-no-deliveries = Webhook の配信はまだありません。
admin-rules = フォルダーのルール
admin-rule-read = 閲覧: { $who }
admin-rule-edit = 編集: { $who }
admin-no-rules = なし: 役割だけで決まります。
admin-proxies = 信頼するプロキシ:
admin-change-rules = { $file } で変更して（{ $doc } を参照）再起動してください。

## Messages handlers show in forms

login-too-many = ログインの失敗が多すぎます。{ $minutes } 分後にもう一度お試しください。
login-wrong = ユーザー名またはパスワードが違います。
password-mismatch = 新しいパスワードが一致しません。
password-too-many = パスワードの誤りが多すぎます。{ $minutes } 分後にもう一度お試しください。
password-wrong = 現在のパスワードが正しくありません。

## What happened, in the inbox, e-mails, digests and chat posts

event-someone = だれか
event-page-created = { $actor } さんが「{ $title }」を作成しました
event-page-changed = { $actor } さんが「{ $title }」を変更しました
event-page-deleted = { $actor } さんが「{ $title }」を削除しました
event-page-moved = { $actor } さんが「{ $title }」を移動しました
event-question-asked = { $actor } さんが「{ $title }」と質問しました
event-question-for-you = 答えをご存じかもしれません：{ $actor } さんが「{ $title }」と質問しました
event-answer-posted = { $actor } さんが「{ $title }」に回答しました
event-answer-accepted = { $actor } さんが「{ $title }」の回答を採用しました
event-mentioned = { $actor } さんが「{ $title }」であなたをメンションしました
event-review-due = 「{ $title }」はレビューの時期です
event-owner-departed = 「{ $title }」には新しい担当者が必要です
event-other = { $actor }：{ $kind }「{ $title }」
event-summary-moved = { $from } から移動
event-summary-removed = 削除：{ $lines }
event-summary-front-matter = フロントマターを変更
event-summary-deleted = 削除済み
event-summary-unanswered = まだ回答がありません：{ $title }
event-summary-review-since = { $since } からレビュー待ち
event-summary-owner-left = { $name } さんは退職しました：このページには新しい担当者が必要です
inbox-n-changes = 
    { $n ->
       *[other] （{ $n } 件の変更）
    }
why-mentioned = あなたがメンションされました
why-owner = あなたがこのページの担当者です
why-own-answer = あなたの回答です
why-expert = あなたが答えを知っているかもしれないと Wiki が判断しました
why-follow = 
    { $kind ->
        [page] ページ { $target } をフォローしています
        [folder] フォルダー { $target } をフォローしています
        [tag] タグ { $target } をフォローしています
        [person] { $target } さんをフォローしています
        [question] 質問 { $target } をフォローしています
       *[other] { $target } をフォローしています
    }
why-for-me = あなたに関係があります
why-following = フォロー中のものに関係があります
why-digest = 
    { $period ->
        [weekly] 週次まとめを選択しています
       *[other] 日次まとめを選択しています
    }
mail-open-it = 開く：{ $url }
mail-open-in = { $site } で開く
mail-why = このメールが届いた理由：{ $why }。
mail-settings = { $site } からのメールの受け取り方を変更
mail-unsubscribe = 配信停止
digest-subject = 
    { $period ->
        [weekly] 週次まとめ：{ $n } 件の更新
       *[other] 日次まとめ：{ $n } 件の更新
    }
digest-intro = 
    { $period ->
        [weekly] { $site } の週次まとめ：{ $n } 件の更新。
       *[other] { $site } の日次まとめ：{ $n } 件の更新。
    }
digest-times = 
    { $n ->
       *[other] （{ $n } 回）
    }
digest-more = 
    { $n ->
       *[other] …ほか { $n } 件は受信箱で
    }
digest-inbox = 受信箱

## Why a page is on the review radar, and how the wiki is kept

review-reason-past-date = { $since } からレビュー待ち
review-reason-owner-departed = 担当者 { $owner } さんが退職しました
review-reason-owner-inactive = 担当者 { $owner } さんは活動していません
review-reason-author-departed = 大部分を書いた { $name } さんが退職しました
review-reason-unanswered = 
    { $days ->
       *[other] { $days } 日間回答なし
    }
review-reason-broken-links = 
    { $n ->
       *[other] リンク切れ { $n } 件
    }
review-reason-owned-by = 担当者：{ $owner }
review-reason-mostly-written-by = 主な執筆者：{ $name }
review-reason-no-owner = 担当者なし
review-reason-untouched = { $since } 以降、編集も確認もされていません
upkeep-without-owner = 
    { $n ->
       *[other] { $n } ページに担当者がいません
    }
upkeep-none-owned = 
    { $n ->
       *[other] { $n } ページのどれにも担当者がいません
    }
upkeep-all-untouched = すべて最終編集から 1 年以上たっています
upkeep-untouched = 
    { $n ->
       *[other] { $n } ページは最終編集から 1 年以上たっています
    }
upkeep-no-review-dates = レビュー日のあるページはありません
upkeep-without-review-date = 
    { $n ->
       *[other] { $n } ページにレビュー日がありません
    }
upkeep-separator = { "。" }
upkeep-summary = { $parts }。

## Why a diff shows no lines

diff-note-long = この差分は長いため、最初の { $n } 行だけを表示しています。
diff-note-binary = バイナリファイル：行ごとの差分はありません。
diff-note-too-large = このファイルは大きすぎるため、ここでは比較できません。

## Atom feeds and the app manifest

feed-changes = { $site }：最近の変更
feed-changes-in = { $site }：{ $folder } の最近の変更
feed-changes-tagged = { $site }：タグ { $tag } の最近の変更
feed-changes-in-tagged = { $site }：{ $folder } のタグ { $tag } の最近の変更
feed-no-message = （メッセージなし）
feed-changed-paths = 変更：{ $paths }
feed-questions = { $site }：質問
feed-questions-tagged = { $site }：タグ { $tag } の質問
feed-question-summary = 
    { $n ->
       *[other] 回答 { $n } 件
    }、{ $status ->
        [answered] 解決済み
       *[other] 未解決
    }
feed-someone = だれか
feed-answers = 回答：{ $title }
feed-answer-by = { $name } さんの回答
feed-review = レビューが必要なページ
feed-review-owner = { $owner } さんが担当する、レビューが必要なページ
manifest-description = { $site }：最近読んだページをオフラインでも読める Wiki

## Reading offline (the service worker)

js-offline-copy = { $date } のオフラインコピーです。
js-offline-earlier-visit = 以前の訪問時
js-offline-may-have-changed = オフラインです。このページはその後変更されているかもしれません。
js-offline-title = オフライン
js-offline-heading = オフラインです
js-offline-no-copy = このデバイスには { $path } のオフラインコピーがありません。オンラインで読んだページは、最新の { $n } ページまでここに保存されます。
js-offline-readable = オフラインで読めるページ

## What handlers tell people in forms and notices

new-page-exists = { $url } にはすでにページがあります。
new-page-against-hint = アドレスはハイフンでつないだ小文字の単語です。「{ $typed }」なら { $better } になります。
new-page-title-no-letters = アドレスを作るには、タイトルに文字か数字が 1 つ以上必要です。
replica-not-caught-up = 保存しました。このサーバーにはまだ変更が反映されていません。数秒後にここに表示されます
history-message-hidden = （このコミットは閲覧できないページも変更しているため、メッセージは表示されません。）
error-no-theme-file = このテーマにはそのファイルがありません。
error-get-only = このアドレスは GET にだけ応答します。
error-nothing-here = このアドレスには何もありません。
error-no-service-worker = このテーマには Service Worker がありません。
