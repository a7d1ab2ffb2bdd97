# Lore's interface in English: the reference every other language has exactly the messages of.
# Ids starting with `js-` are the scripts' (their variables stay `{$name}` for the scripts to fill in).

## Dates and times

date-time = { $year }-{ $month2 }-{ $day2 } { $time } UTC
time-just-now = just now
time-minutes-ago = 
    { $n ->
        [one] 1 minute ago
       *[other] { $n } minutes ago
    }
time-hours-ago = 
    { $n ->
        [one] 1 hour ago
       *[other] { $n } hours ago
    }
time-days-ago = 
    { $n ->
        [one] 1 day ago
       *[other] { $n } days ago
    }
time-months-ago = 
    { $n ->
        [one] 1 month ago
       *[other] { $n } months ago
    }
time-years-ago = 
    { $n ->
        [one] 1 year ago
       *[other] { $n } years ago
    }

## The frame of every page

skip-to-content = Skip to content
open-mode-banner = This wiki runs in open mode: everyone who can reach it may read and edit every page.
search-label = Search the wiki
search-placeholder = Search (press /)
search-button = Search
menu = Menu
close = Close
nav-main = Main
nav-all-pages = All pages
nav-questions = Questions
nav-questions-waiting = { $n } waiting for an answer
nav-questions-open = open
nav-people = People
nav-review = Review
nav-tags = Tags
nav-recent-changes = Recent changes
nav-new-page = New page
nav-breadcrumb = Breadcrumb
nav-home = Home
git-recipe-title = Edit with git
git-recipe-steps = Edit, commit, then { $push }
nav-more = More

## Account links in the header

nav-inbox = Inbox
nav-inbox-unread = unread
nav-admin = Admin
nav-your-account = Your account
log-out = Log out
log-in = Log in

## Error pages

error-title-server = Something went wrong
error-status = Error { $status }
error-title-404 = Not found
error-title-403 = Not allowed
error-title-401 = Please log in
error-title-429 = Too many attempts
error-title-409 = Someone else changed this
error-title-other = That did not work
error-server-explanation = This is a problem on our side, not yours. Trying again in a moment often helps; if it keeps happening, tell whoever runs this wiki.
error-go-home = Go to the home page
error-browse-pages = Browse all pages

## Pages and folders

not-found-title = Not found: { $path }
not-found-lead = This page does not exist yet.
not-found-create = Create this page
not-found-search = Search for “{ $path }”
page-revision-banner = You are viewing the version of { $date } by { $author } ({ $commit })
page-view-current = view current
page-compare-current = compare with current
page-restore-version = Restore this version
page-undo-restore = Undo the restore
page-actions = Page actions
page-edit = Edit
page-history = History
page-blame = Blame
page-raw = Raw
page-move = Move
page-delete = Delete
page-git-steps = Edit { $path }, commit, { $push }
page-last-edited = Last edited
page-last-edited-by-when = Last edited by { $who }, { $when }
page-last-edited-by = Last edited by { $who }
page-stewardship = Ownership and review
page-owners = Owners: { $owners }
page-owners-left = { $names } left
page-no-owner = No owner
page-needs-review = Needs review since { $since }
page-verified-by = Verified by { $who } on { $date }
page-verified = Verified on { $date }
page-mark-verified = Mark as verified
page-health = 
    { $contributors ->
        [one] 1 contributor
       *[other] { $contributors } contributors
    } · { $links ->
        [one] 1 page links here
       *[other] { $links } pages link here
    }
page-edited-when = edited { $when }
page-problem = Problem with this page:
page-translations = Translations
page-also-in = Also in:
page-backlinks = What links here
page-contents = Contents
page-pages = Pages
tree-more = { $n } more
tree-more-in = { $n } more in { $folder }
tree-pages-in = Pages in { $folder }
page-navigation = Navigation
page-on-this-page = On this page
page-sidebar = Sidebar
page-tree = Page tree
nav-random = Random page
folder-title = Index of { $folder }
folder-empty = This folder is empty.
pages-count = 
    { $n ->
        [one] 1 page
       *[other] { $n } pages
    }
pages-empty = The wiki has no pages yet.
pages-write-first = Write the first one.
deleted-title = Deleted: { $title }
deleted-lead = This page was deleted by { $who } { $when }.
deleted-explanation = Its history keeps every version. Restoring brings back the last one as a new change.
deleted-restore = Restore
deleted-history = See the page's history
login-proxy = This wiki signs you in through your company's login. Open it through the address your company gave you.
login-username = User name
login-password = Password
login-help = No account yet, or forgot your password? Ask whoever runs this wiki.

## Account

account-title = Your account
account-groups = groups: { $groups }
account-mode = { $mode } mode
account-open-mode = This wiki runs in open mode: there are no accounts, and edits are signed with the name your browser remembers.
account-new-token = Your new token. Copy it now: it is shown only once.
account-notifications-link = Notifications: e-mail for mentions, questions and what you follow
account-profile = Profile
account-name = Name (signs your edits; not another account's name)
account-email = E-mail
account-email-hint = Your edits are signed with this address, so only an admin changes it.
account-save-profile = Save profile
account-from-proxy = { $who } — from your company's login.
account-current-password = Current password
account-new-password = New password (at least 8 characters)
account-new-password-again = New password again
account-password-hint = Changing it logs you out everywhere else.
account-change-password = Change password
account-tokens = Personal tokens
account-tokens-hint = For git (as the password) and the API ({ $header }).
account-no-tokens = No tokens yet.
account-token-name = New token's name
account-token-placeholder = laptop git
account-create-token = Create token
account-language = Language
account-language-label = The language Lore speaks to you in
account-language-browser = As my browser asks
account-language-save = Save language

## The editor

edit-title-new = Create { $title }
edit-title = Edit { $title }
edit-new-page-at = New page at
edit-section-only = section { $section } only
edit-not-saved = Not saved.
edit-conflict-lead = { $who } changed this page while you were editing. Nothing was saved, and nothing you typed is lost.
edit-conflict-rows = The editor below holds both versions combined. Where you both changed the same lines, it has yours; choose for each:
edit-conflict-row-front-matter = Change { $number }: front matter, line { $line }
edit-conflict-row = Change { $number }: line { $line }
edit-conflict-theirs = Theirs ({ $who })
edit-conflict-they-removed = (they removed these lines)
edit-conflict-yours = Yours
edit-conflict-you-removed = (you removed these lines)
edit-conflict-change = Change { $number }
edit-keep-mine = Keep mine
edit-keep-theirs = Keep theirs
edit-keep-both = Keep both
edit-conflict-merged = The editor below holds both versions combined: check it and save.
edit-conflict-diff = Every difference: their version compared with yours
edit-conflict-their-version = Their whole version
edit-conflict-hint = Saving replaces their version with what the editor holds.
edit-draft = You have an unsaved draft.
edit-draft-restore = Restore draft
edit-draft-discard = Discard
edit-field-title = Title
edit-tags-hint = Separated by commas, for example: networking, how-to
edit-field-owners = Owners
edit-owners-hint = Who keeps this page correct: e-mail addresses or teams, separated by commas
edit-advanced = Advanced: front matter (YAML)
edit-front-matter-problem = Problem in the front matter, { $problem }
edit-front-matter-label = Front matter, without the { $marker } lines
edit-front-matter-hint = Every setting of the page, such as { $example1 } or { $example2 }. When you change the title, tags or owners above, saving writes them here.
edit-tabs = Show
edit-tab-write = Write
edit-preview = Preview
edit-section-text = Section text (Markdown)
edit-page-text = Page text (Markdown)
edit-toolbar = Formatting
edit-tool-heading = Heading
edit-tool-bold = Bold
edit-tool-italic = Italic
edit-tool-link = Link
edit-tool-page-link = Page link
edit-tool-page-link-title = Link to a page of this wiki
edit-tool-page = Page
edit-tool-mention = Mention someone
edit-tool-bullets = Bulleted list
edit-tool-list = List
edit-tool-tasks-label = Tasks: a checklist
edit-tool-task-list = Task list
edit-tool-tasks = Tasks
edit-tool-table = Table
edit-tool-code = Code
edit-tool-quote = Quote
edit-tool-upload = Upload an image or file
edit-tool-upload-short = Upload
edit-picker-label = Find a page
edit-picker-hint = ↑ ↓ to choose, Enter to insert, Esc to go back to the text
edit-text-placeholder = Write the page here. The toolbar and the cheat sheet below show how.
edit-text-hint = Markdown: **bold**, [[Page name]], ## Heading. The cheat sheet below has more.
edit-text-hint-front-matter = Front matter (title, tags, …) goes between --- lines at the top
edit-attach = Attach files
edit-drop-hint = Drop images or files on the text to upload them
edit-cheat-sheet = Markdown cheat sheet and keyboard shortcuts
edit-cheat-want = You want
edit-cheat-type = You type
edit-cheat-shortcut = Shortcut
edit-cheat-heading = Section heading
edit-cheat-bold = Bold, italic
edit-cheat-numbered = Numbered list
edit-cheat-page-link = Link to a page
edit-cheat-image = Image
edit-cheat-image-how = Upload, or drop the file on the text
edit-cheat-code-block = or a block:
edit-cheat-callout = Callout
edit-cheat-also = also
edit-save = Save
edit-cheat-mac = On a Mac, use { $cmd } for { $ctrl }. In the toolbar, the arrow keys move between buttons.
edit-cheat-guide = Everything Lore renders: the Markdown guide
edit-your-name = Your name
edit-your-email = Your e-mail
edit-message = Describe your change
cancel = Cancel
edit-save-hint = Ctrl+S saves

## Scripts

js-section-link = Link to this section
js-suggestions = Suggestions
js-pages-in = Pages in { $folder }
js-more = { $n } more
js-copied = Copied
js-copy = Copy
js-shortcuts = Keyboard shortcuts
js-shortcut-search = Search
js-shortcut-help = This help
js-shortcut-edit = Edit this page
js-shortcut-save = Save (in the editor)
js-close = Close
js-time-just-now = just now
js-preview-failed = Preview not updated: { $error }
js-network-error = network error
js-draft-earlier-visit = an earlier visit
js-draft-from = You have an unsaved draft from { $when }.
js-draft-from-changed = You have an unsaved draft from { $when } (the page has changed since; saving it merges with those changes).
js-uploading = Uploading { $name }…
js-uploaded = Uploaded { $name }.
js-upload-failed = Could not upload { $name }: { $error }
js-file-too-large = the file is too large
js-bold-text = bold text
js-italic-text = italic text
js-picker-page = Link to a page: type part of its title
js-picker-person = Mention someone: type part of their name
js-search-failed = Could not search: { $error }
js-conflict-moved = You have changed these lines in the editor since: change them there.
js-conflict-both = The editor has both, yours first.
js-conflict-mine = The editor has yours.
js-conflict-theirs = The editor has theirs.

## Notices after an action

notice-merged = Saved: merged with changes by { $name }.
notice-saved = Saved.
notice-unchanged = No changes to save.
notice-moved = Moved. The old address redirects here.
notice-restored = Restored.

## History, changes, commits and blame

history-title = History of { $title }
history-hint = To compare two versions, choose one in the left column (from) and one in the right column (to).
history-compare-from = Compare from
history-from = From
history-to = To
history-change = Change
history-author = Author
history-when = When
history-lines = Lines
history-compare-from-commit = Compare from { $commit }
history-compare-to-commit = Compare to { $commit }
history-deleted = deleted
history-no-message = (no message)
history-as-path = as { $path }
history-pushed-by = pushed by { $who }
history-compare = Compare selected versions
history-pager = Pages of history
pager-newer = Newer
pager-page = Page { $n }
pager-older = Older
changes-feed = Follow in your feed reader (Atom)
changes-filter-label = Filter changes
changes-author-placeholder = name or e-mail
changes-folder = Folder
changes-filter = Filter
changes-none = No changes match.
changes-pager = Pages of changes
commit-title = Commit { $commit }
commit-by = by { $author },
commit-pushed-by = pushed by { $who },
commit-parent = parent
commit-files = 
    { $n ->
        [one] 1 file changed.
       *[other] { $n } files changed.
    }
blame-title = Blame of { $title }
diff-no-changes = No changes to the text.
changes-folder-placeholder = engineering/

## Comparing, moving and deleting

diff-title = Changes to { $title }
diff-from-to = From { $from } to { $to }
diff-views = Diff views
diff-unified = Unified
diff-split = Side by side
diff-full = Show more (whole page)
move-title = Move { $title }
move-heading = Move or rename “{ $title }”
move-new-path = New path
move-hint = The old address keeps working: it redirects to the new one, and wiki links to the old name still resolve.
move-submit = Move page
delete-title = Delete { $title }
delete-heading = Delete “{ $title }”?
delete-lead = The page disappears from the wiki, but nothing is lost: its history keeps every version, and anyone can restore it from its old address.
delete-why = Why? (optional)
delete-submit = Delete page

## New page, tags and links

new-open-existing = Open that page
new-or-another-name = , or choose another name.
new-suggestion = The fields below now say so: create it, or change them.
new-title-hint = What the page is about, as readers will see it, for example “How we deploy”.
new-top-level = (top level)
new-folder-hint = An existing folder, or a new one: lowercase words joined by hyphens, such as { $example }.
new-name = Name in the address
new-name-placeholder = made from the title
new-name-hint = Leave it empty to make it from the title: lowercase words joined by hyphens.
new-address = The page will be at
new-start-from = Start from
new-blank = Blank page
new-create = Create
tags-count = 
    { $n ->
        [one] 1 tag
       *[other] { $n } tags
    }
tags-none = No page has tags yet. Add { $example } to a page's front matter.
tag-title = Tagged “{ $tag }”
tag-feed-title = Changes to pages tagged { $tag }
tag-sort-by = Sort by
tag-sort-title = title
tag-sort-changed = last change
tag-feed = Changes as a feed (Atom)
tag-all = All tags
links-broken = Broken links
links-orphans = Orphan pages
links-broken-lead = Links to pages that do not exist yet and to missing files, most wanted first (what { $command } reports).
links-orphans-lead = Pages no other page links to: link them from somewhere people look.
links-missing = Missing
links-linked-from = Linked from
links-none-broken = Every link points to a page that exists.
links-none-orphans = Every page is linked from somewhere.

## People

people-lead = Everyone who has written here, by the lines they wrote that are still on today's pages.
people-indexing = Authorship is still being indexed; figures may be incomplete.
people-needs-attention = Needs attention
people-person = Person
people-lines-standing = Lines still standing
people-commits = Commits
people-accepted = Accepted answers
people-last-active = Last active
people-lines = Lines
person-since = since { $date }
person-hand-over = Hand over their pages
person-last-active = last active { $when }
person-answers = Answers
person-answers-accepted = { $n } ({ $accepted } accepted)
person-strongest = Strongest in
person-tag-lines = 
    { $n ->
        [one] 1 line
       *[other] { $n } lines
    }
person-pages = What they wrote that still stands
person-their-lines = Their lines
person-share = Share
person-main-author = main author
person-none = None of their lines are on today's pages.
follow-link-title = Get what happens to { $label } in your inbox
follow-link = Follow

## Following and the inbox

follow-this = 
    { $kind ->
        [page] this page
        [folder] this folder
        [tag] this tag
        [question] this question
       *[person] this person
    }
follow-title = Follow { $label }
follow-following = You follow { $this }: what happens to it reaches your { $inbox }.
follow-inbox = inbox
follow-muted = You muted { $this }: nothing about it reaches you.
follow-offer = Follow { $this } to get what happens to it in your { $inbox }, or mute it to hear nothing of it.
follow-mute = Mute
follow-unmute = Unmute
follow-unfollow = Unfollow
follow-everything = Everything you follow
follows-title = What you follow
follows-lead = Changes to these reach your { $inbox }. Lore follows what you create, edit, ask or answer for you; muted things never reach you.
follows-what = What
follows-kind = Kind
follows-since = Since
actions = Actions
follows-muted = muted
follows-automatic = automatic
follow-kind = 
    { $kind ->
        [page] page
        [folder] folder
        [tag] tag
        [question] question
       *[person] person
    }
follows-none = You follow nothing yet. Use the Follow button on a page, folder, tag, question or person.
inbox-unread = { $n } unread.
inbox-nothing-unread = Nothing unread.
inbox-show-all = Show all
inbox-show-unread = Show only unread
inbox-mark-all = Mark all read
inbox-mark-read = Mark read
inbox-empty = Nothing here yet. Follow pages, folders, tags, questions or people, and what happens to them shows up here.

## Search results

search-title = Search: { $query }
search-results-for = Results for “{ $query }”
search-count = 
    { $n ->
        [one] 1 result in { $ms } ms
       *[other] { $n } results in { $ms } ms
    }
search-indexing = the index is still being built, results may be incomplete
search-showing-for = No results for “{ $query }”. Showing results for { $corrected }.
search-did-you-mean = Did you mean { $suggestion }?
page-kind = 
    { $kind ->
        [page] page
        [question] question
       *[other] { $kind }
    }
search-accepted-answer = Accepted answer:
search-nothing = Nothing in the wiki matches “{ $query }” yet.
search-try = Try fewer or different words, or ask the people who know.
search-didnt-find = Didn’t find it?
search-ask = Ask this as a question
search-pager = Pages of results
pager-previous = Previous
pager-next = Next
search-filters = Filters
search-filter-results = Filter results
search-experts = Who knows about this?
search-expert-lines = lines still standing in matching pages
search-expert-answers = 
    { $n ->
        [one] 1 accepted answer
       *[other] { $n } accepted answers
    }
search-facet-kind = Kind
search-facet-language = Language
search-facet-folders = Folders

## Account pieces, verifying, promoting, unsubscribing

tokens-user = User
tokens-name = Name
tokens-created = Created
tokens-last-used = Last used
tokens-revoke = Revoke
role = 
    { $role ->
        [reader] reader
        [editor] editor
        [admin] admin
       *[other] { $role }
    }
verify-title = Verify { $title }
verify-heading = Is “{ $title }” still right?
verify-lead = Marking it verified records today's date and your name in its front matter, in one commit, and restarts its review period.
verify-edit = No, edit it
promote-title = Turn this answer into a page
promote-lead = The page links back to the question, and the question to the page. Adjust the text so it reads as documentation.
promote-path = Page path
promote-submit = Create the page
unsubscribe = Unsubscribe
unsubscribe-done = 
    { $list ->
        [for_me] Done: { $user } gets no more e-mail about mentions and questions for them.
        [following] Done: { $user } gets no more e-mail about things they follow.
       *[other] Done: { $user } gets no more e-mail about anything.
    }
unsubscribe-inbox = The inbox on the wiki still shows everything. To change your mind, log in and open { $settings }.
unsubscribe-settings = your notification settings
unsubscribe-ask = 
    { $list ->
        [for_me] Stop e-mail to { $user } about mentions and questions for them?
        [following] Stop e-mail to { $user } about things they follow?
       *[other] Stop e-mail to { $user } about anything on this wiki?
    }

## Questions

questions-feed-title = New questions
questions-tagged = Questions tagged “{ $tag }”
questions-ask = Ask a question
questions-feed = Follow new questions (Atom)
questions-filter = Filter questions
questions-answered = Answered
questions-open = Open
questions-answers = 
    { $n ->
        [one] 1 answer
       *[other] { $n } answers
    }
questions-asked-by = asked by { $who }
questions-active = active { $when }
questions-none = No questions here yet.
ask-lead = The people who know will answer here, and the answer stays findable for everyone who asks next.
ask-question = Your question
ask-placeholder = How do I get VPN access from home?
ask-similar = Already answered? These look similar:
ask-details = Details
ask-details-note = Markdown: what you tried, what you need
ask-tags-note = comma separated
ask-tags-placeholder = it, vpn
ask-submit = Ask
questions-filter-label = 
    { $filter ->
        [unanswered] Unanswered
        [answered] Answered
        [mine] Asked by me
       *[all] All
    }
question-feed-title = Answers to this question
question-asked-by = Asked by { $who }
question-feed = Answers as a feed (Atom)
question-promoted = This answer is now a wiki page:
question-read-page = read the page.
question-accepted = ✓ Accepted answer
question-accept = Accept this answer
question-promote = Turn into a wiki page
question-experts = People who may know:
question-your-answer = Your answer
question-your-answer-markdown = Your answer (Markdown)
question-answer-placeholder = Write the answer you wish you had found (Markdown works).
question-post = Post answer

## Review

review-hand-over = Hand over pages
review-feed-title = Pages needing review
review-hand-over-person = Hand over { $person }'s pages
review-hand-over-lead = Everything { $person } owned or mostly wrote. Choose the pages, name the new owner, and hand them over in one commit.
review-lead = Pages past their review date, with owners or main authors who have left, unanswered questions and broken links.
review-feed = Follow (Atom)
review-upkeep = How this wiki is kept
review-unowned-link = 
    { $n ->
        [one] See the 1 page without an owner
       *[other] See the { $n } pages without an owner
    }
review-unowned-then = , choose some and give them an owner below (one commit).
review-untouched-link = 
    { $n ->
        [one] See the 1 page not edited for a year
       *[other] See the { $n } pages not edited for a year
    }
review-untouched-then = , oldest first: read each, then edit it or mark it as verified.
review-front-matter-tip = Or write { $owners } and { $review } into a page's front matter: it then comes back here when its review is due.
review-filter = Filter by reason
review-all = All
review-reason = 
    { $reason ->
        [review] Past review date
        [owner] Owner left
        [author] Main author left
        [unanswered] Unanswered
        [unowned] No owner
        [untouched] Not edited for a year
       *[other] Broken links
    }
review-departed = People who have left:
review-shown = { $shown } of { $total } pages shown.
review-choose = Choose
review-why = Why
review-last-edit = Last edit
review-choose-page = Choose { $title }
review-mark-verified = Mark verified
review-give-to = Give the chosen pages to
review-owner-placeholder = Name <email> or a team
review-assign = Assign owner
review-pager = Pages of the list
review-well-kept = Nothing needs attention. Well kept!
review-nothing-due = Nothing is past its review date, no owner has left and no link is broken: see above for what is missing.

## Notifications

notifications = Notifications
notifications-no-mail = This wiki sends no e-mail yet (whoever runs it sets that up in { $file }). Your choices are kept for when it does.
notifications-for-me = E-mail about mentions and questions for me
notifications-frequency = 
    { $frequency ->
        [instant] at once
        [daily] daily digest
        [weekly] weekly digest
       *[other] off
    }
notifications-following = E-mail about things I follow
notifications-auto-follow = Follow what I create, edit, ask or answer
notifications-hint = Digests go out once a day (weekly ones on Mondays). Every e-mail has a link that unsubscribes without logging in.
notifications-need-login = Notifications need a login.
notifications-open-mode = This wiki runs in open mode, which has no accounts: there is nobody to send e-mail to. Webhooks to chat still work.

## Administration

admin-title = Administration
admin-summary = 
    { $mode } mode · anonymous reading { $anonymous -> 
        [on] on
       *[off] off
    } · new accounts: { $role } · { $sessions } active sessions
admin-health = Repository and indexes
admin-repository = Repository
admin-head = Head
admin-empty = empty
admin-pages-files = { $pages } pages, { $files } files
admin-history-index = History index
admin-ready = ready
admin-building = building…
admin-search-index = Search index
admin-current = current
admin-catching-up = catching up (at { $commit })
admin-accounts = Accounts
admin-columns-local = Name, e-mail, role, groups, status
admin-columns = Role, groups, status
admin-disabled = disabled
admin-role = Role
admin-groups = Groups
admin-groups-placeholder = groups, comma-separated
admin-no-accounts = No accounts yet.
admin-add-account-title = Add an account
admin-new-groups-placeholder = hr, legal
admin-first-password = First password (at least 8 characters)
admin-add-account = Add account
admin-no-tokens = No tokens.
admin-delivery = E-mail and webhooks
admin-mail = { $server } as { $from } · digests at { $hour }:00 UTC
admin-mail-off = off (no { $key } in { $file })
admin-webhooks = Webhooks
admin-webhook-to = { $format } to { $host }
admin-webhook-paths = paths { $paths }
admin-webhook-tags = tags { $tags }
admin-none = none
admin-deliveries = Last webhook deliveries
admin-webhook = Webhook
admin-event = Event
admin-status = Status
admin-attempts = Attempts
admin-last-error = Last error
admin-next-try = (next try { $at })
admin-no-deliveries = No webhook deliveries yet.
admin-rules = Folder rules
admin-rule-read = read: { $who }
admin-rule-edit = edit: { $who }
admin-no-rules = None: the roles alone decide.
admin-proxies = Trusted proxies:
admin-change-rules = Change these in { $file } (see { $doc }) and restart.

## Messages handlers show in forms

login-too-many = 
    { $minutes ->
        [one] Too many failed logins. Try again in 1 minute.
       *[other] Too many failed logins. Try again in { $minutes } minutes.
    }
login-wrong = Wrong user name or password.
password-mismatch = The new passwords do not match.
password-too-many = 
    { $minutes ->
        [one] Too many wrong passwords. Try again in 1 minute.
       *[other] Too many wrong passwords. Try again in { $minutes } minutes.
    }
password-wrong = Your current password is not right.

## What happened, in the inbox, e-mails, digests and chat posts

event-someone = Someone
event-page-created = { $actor } created “{ $title }”
event-page-changed = { $actor } changed “{ $title }”
event-page-deleted = { $actor } deleted “{ $title }”
event-page-moved = { $actor } moved “{ $title }”
event-question-asked = { $actor } asked “{ $title }”
event-question-for-you = You may know the answer: { $actor } asked “{ $title }”
event-answer-posted = { $actor } answered “{ $title }”
event-answer-accepted = { $actor } accepted an answer to “{ $title }”
event-mentioned = { $actor } mentioned you in “{ $title }”
event-review-due = “{ $title }” is due for review
event-owner-departed = “{ $title }” needs a new owner
event-other = { $actor }: { $kind } “{ $title }”
event-summary-moved = Moved from { $from }
event-summary-removed = Removed: { $lines }
event-summary-front-matter = Changed the front matter
event-summary-deleted = Deleted
event-summary-unanswered = Still unanswered: { $title }
event-summary-review-since = Due for review since { $since }
event-summary-owner-left = { $name } has left: this page needs a new owner
inbox-n-changes = 
    { $n ->
        [one] (1 change)
       *[other] ({ $n } changes)
    }
why-mentioned = you were mentioned
why-owner = you own the page
why-own-answer = it is your answer
why-expert = the wiki thinks you may know the answer
why-follow = 
    { $kind ->
        [page] you follow the page { $target }
        [folder] you follow the folder { $target }
        [tag] you follow the tag { $target }
        [person] you follow the person { $target }
        [question] you follow the question { $target }
       *[other] you follow { $target }
    }
why-for-me = it concerns you
why-following = it concerns something you follow
why-digest = 
    { $period ->
        [weekly] you chose a weekly digest
       *[other] you chose a daily digest
    }
mail-open-it = Open it: { $url }
mail-open-in = Open it in { $site }
mail-why = You get this because { $why }.
mail-settings = Change how { $site } e-mails you
mail-unsubscribe = Unsubscribe
digest-subject = 
    { $period ->
        [weekly]
            { $n ->
                [one] Your weekly digest: 1 update
               *[other] Your weekly digest: { $n } updates
            }
       *[other]
            { $n ->
                [one] Your daily digest: 1 update
               *[other] Your daily digest: { $n } updates
            }
    }
digest-intro = 
    { $period ->
        [weekly]
            { $n ->
                [one] Your weekly digest from { $site }: 1 update.
               *[other] Your weekly digest from { $site }: { $n } updates.
            }
       *[other]
            { $n ->
                [one] Your daily digest from { $site }: 1 update.
               *[other] Your daily digest from { $site }: { $n } updates.
            }
    }
digest-times = 
    { $n ->
        [one] (once)
       *[other] ({ $n } times)
    }
digest-more = 
    { $n ->
        [one] …and 1 more in your inbox
       *[other] …and { $n } more in your inbox
    }
digest-inbox = Your inbox

## Why a page is on the review radar, and how the wiki is kept

review-reason-past-date = needs review since { $since }
review-reason-owner-departed = owner { $owner } has left
review-reason-owner-inactive = owner { $owner } is inactive
review-reason-author-departed = most of it was written by { $name }, who has left
review-reason-unanswered = 
    { $days ->
        [one] unanswered for 1 day
       *[other] unanswered for { $days } days
    }
review-reason-broken-links = 
    { $n ->
        [one] 1 broken link
       *[other] { $n } broken links
    }
review-reason-owned-by = owned by { $owner }
review-reason-mostly-written-by = mostly written by { $name }
review-reason-no-owner = no owner
review-reason-untouched = not edited or verified since { $since }
upkeep-without-owner = 
    { $n ->
        [one] 1 page has no owner
       *[other] { $n } pages have no owner
    }
upkeep-none-owned = 
    { $n ->
        [one] the 1 page has no owner
       *[other] none of the { $n } pages has an owner
    }
upkeep-all-untouched = all were last edited over a year ago
upkeep-untouched = 
    { $n ->
        [one] 1 was last edited over a year ago
       *[other] { $n } were last edited over a year ago
    }
upkeep-no-review-dates = no page has a review date
upkeep-without-review-date = 
    { $n ->
        [one] 1 has no review date
       *[other] { $n } have no review date
    }
upkeep-separator = { "; " }
upkeep-summary = { $parts }.

## Why a diff shows no lines

diff-note-long = This diff is long: only the first { $n } lines are shown.
diff-note-binary = Binary file: no line diff.
diff-note-too-large = This file is too large to diff here.

## Atom feeds and the app manifest

feed-changes = { $site }: recent changes
feed-changes-in = { $site }: recent changes in { $folder }
feed-changes-tagged = { $site }: recent changes tagged { $tag }
feed-changes-in-tagged = { $site }: recent changes in { $folder } tagged { $tag }
feed-no-message = (no message)
feed-changed-paths = Changed: { $paths }
feed-questions = { $site }: questions
feed-questions-tagged = { $site }: questions tagged { $tag }
feed-question-summary = 
    { $n ->
        [one] 1 answer
       *[other] { $n } answers
    }; { $status ->
        [answered] answered
       *[other] open
    }
feed-someone = someone
feed-answers = Answers: { $title }
feed-answer-by = Answer by { $name }
feed-review = Pages needing review
feed-review-owner = Pages owned by { $owner } needing review
manifest-description = { $site }: the wiki, readable offline for the pages you read last

## Reading offline (the service worker)

js-offline-copy = Offline copy from { $date }.
js-offline-earlier-visit = an earlier visit
js-offline-may-have-changed = You are offline; this page may have changed since.
js-offline-title = Offline
js-offline-heading = You are offline
js-offline-no-copy = There is no offline copy of { $path } on this device. Pages you read while online are kept here, the last { $n } of them.
js-offline-readable = Pages you can read offline

## What handlers tell people in forms and notices

new-page-exists = A page already exists at { $url }.
new-page-against-hint = Addresses are lowercase words joined by hyphens, so “{ $typed }” would be { $better }.
new-page-title-no-letters = The title needs a letter or a digit to make an address from.
replica-not-caught-up = Saved. This server has not caught up with your change yet; it shows here in a few seconds
history-message-hidden = (This commit also changed pages you cannot read; its message is not shown.)
error-no-theme-file = This theme has no such file.
error-get-only = This address only answers GET.
error-nothing-here = There is nothing at this address.
error-no-service-worker = This theme has no service worker.
