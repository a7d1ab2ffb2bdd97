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
