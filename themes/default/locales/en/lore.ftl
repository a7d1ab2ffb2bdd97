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
