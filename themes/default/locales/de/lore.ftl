# Lores Oberfläche auf Deutsch.

## Dates and times

date-time = { $day2 }.{ $month2 }.{ $year }, { $time } UTC
time-just-now = gerade eben
time-minutes-ago = 
    { $n ->
        [one] vor 1 Minute
       *[other] vor { $n } Minuten
    }
time-hours-ago = 
    { $n ->
        [one] vor 1 Stunde
       *[other] vor { $n } Stunden
    }
time-days-ago = 
    { $n ->
        [one] vor 1 Tag
       *[other] vor { $n } Tagen
    }
time-months-ago = 
    { $n ->
        [one] vor 1 Monat
       *[other] vor { $n } Monaten
    }
time-years-ago = 
    { $n ->
        [one] vor 1 Jahr
       *[other] vor { $n } Jahren
    }

## The frame of every page

skip-to-content = Zum Inhalt springen
open-mode-banner = Dieses Wiki läuft im offenen Modus: Alle, die es erreichen können, dürfen jede Seite lesen und bearbeiten.
search-label = Im Wiki suchen
search-placeholder = Suchen (Taste /)
search-button = Suchen
menu = Menü
close = Schließen
nav-main = Hauptnavigation
nav-all-pages = Alle Seiten
nav-questions = Fragen
nav-questions-waiting = { $n } warten auf eine Antwort
nav-questions-open = offen
nav-people = Personen
nav-review = Prüfen
nav-tags = Schlagwörter
nav-recent-changes = Letzte Änderungen
nav-new-page = Neue Seite
nav-breadcrumb = Brotkrümelnavigation
nav-home = Startseite
git-recipe-title = Mit git bearbeiten
git-recipe-steps = Bearbeiten, committen, dann { $push }
nav-more = Mehr

## Account links in the header

nav-inbox = Posteingang
nav-inbox-unread = ungelesen
nav-admin = Verwaltung
nav-your-account = Dein Konto
log-out = Abmelden
log-in = Anmelden

## Error pages

error-title-server = Etwas ist schiefgegangen
error-status = Fehler { $status }
error-title-404 = Nicht gefunden
error-title-403 = Nicht erlaubt
error-title-401 = Bitte melde dich an
error-title-429 = Zu viele Versuche
error-title-409 = Jemand anderes hat das geändert
error-title-other = Das hat nicht geklappt
error-server-explanation = Das ist ein Problem auf unserer Seite, nicht auf deiner. Oft hilft es, es gleich noch einmal zu versuchen; wenn es immer wieder passiert, sag der Person Bescheid, die dieses Wiki betreibt.
error-go-home = Zur Startseite
error-browse-pages = Alle Seiten durchsehen

## Pages and folders

not-found-title = Nicht gefunden: { $path }
not-found-lead = Diese Seite gibt es noch nicht.
not-found-create = Diese Seite anlegen
not-found-search = Nach „{ $path }“ suchen
page-revision-banner = Du siehst die Fassung vom { $date } von { $author } ({ $commit })
page-view-current = aktuelle Fassung ansehen
page-compare-current = mit der aktuellen vergleichen
page-restore-version = Diese Fassung wiederherstellen
page-undo-restore = Wiederherstellung rückgängig machen
page-actions = Seitenaktionen
page-edit = Bearbeiten
page-history = Verlauf
page-blame = Zeilenherkunft
page-raw = Quelltext
page-move = Verschieben
page-delete = Löschen
page-git-steps = { $path } bearbeiten, committen, { $push }
page-last-edited = Zuletzt bearbeitet
page-last-edited-by-when = Zuletzt bearbeitet von { $who }, { $when }
page-last-edited-by = Zuletzt bearbeitet von { $who }
page-stewardship = Zuständigkeit und Prüfung
page-owners = Zuständig: { $owners }
page-owners-left = { $names } nicht mehr da
page-no-owner = Niemand zuständig
page-needs-review = Muss seit { $since } geprüft werden
page-verified-by = Geprüft von { $who } am { $date }
page-verified = Geprüft am { $date }
page-mark-verified = Als geprüft markieren
page-health = 
    { $contributors ->
        [one] 1 Mitwirkende Person
       *[other] { $contributors } Mitwirkende
    } · { $links ->
        [one] 1 Seite verlinkt hierher
       *[other] { $links } Seiten verlinken hierher
    }
page-edited-when = bearbeitet { $when }
page-problem = Problem mit dieser Seite:
page-translations = Übersetzungen
page-also-in = Auch auf:
page-backlinks = Links auf diese Seite
page-contents = Inhalt
page-pages = Seiten
tree-more = { $n } weitere
tree-more-in = { $n } weitere in { $folder }
tree-pages-in = Seiten in { $folder }
page-navigation = Navigation
page-on-this-page = Auf dieser Seite
page-sidebar = Seitenleiste
page-tree = Seitenbaum
nav-random = Zufällige Seite
folder-title = Inhalt von { $folder }
folder-empty = Dieser Ordner ist leer.
pages-count = 
    { $n ->
        [one] 1 Seite
       *[other] { $n } Seiten
    }
pages-empty = Das Wiki hat noch keine Seiten.
pages-write-first = Schreib die erste.
deleted-title = Gelöscht: { $title }
deleted-lead = Diese Seite wurde { $when } von { $who } gelöscht.
deleted-explanation = Ihr Verlauf bewahrt jede Fassung. Wiederherstellen holt die letzte als neue Änderung zurück.
deleted-restore = Wiederherstellen
deleted-history = Verlauf der Seite ansehen
login-proxy = Dieses Wiki meldet dich über die Anmeldung deiner Firma an. Öffne es über die Adresse, die deine Firma dir gegeben hat.
login-username = Benutzername
login-password = Passwort
login-help = Noch kein Konto oder Passwort vergessen? Frag die Person, die dieses Wiki betreibt.
