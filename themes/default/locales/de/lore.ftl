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

## Account

account-title = Dein Konto
account-groups = Gruppen: { $groups }
account-mode = Modus { $mode }
account-open-mode = Dieses Wiki läuft im offenen Modus: Es gibt keine Konten, und Änderungen werden mit dem Namen gezeichnet, den dein Browser sich merkt.
account-new-token = Dein neues Token. Kopiere es jetzt: Es wird nur einmal angezeigt.
account-notifications-link = Benachrichtigungen: E-Mail bei Erwähnungen, Fragen und dem, dem du folgst
account-profile = Profil
account-name = Name (zeichnet deine Änderungen; nicht der Name eines anderen Kontos)
account-email = E-Mail
account-email-hint = Deine Änderungen werden mit dieser Adresse gezeichnet, deshalb ändert sie nur die Verwaltung.
account-save-profile = Profil speichern
account-from-proxy = { $who } – aus der Anmeldung deiner Firma.
account-current-password = Aktuelles Passwort
account-new-password = Neues Passwort (mindestens 8 Zeichen)
account-new-password-again = Neues Passwort wiederholen
account-password-hint = Eine Änderung meldet dich überall sonst ab.
account-change-password = Passwort ändern
account-tokens = Persönliche Tokens
account-tokens-hint = Für git (als Passwort) und die API ({ $header }).
account-no-tokens = Noch keine Tokens.
account-token-name = Name des neuen Tokens
account-token-placeholder = Laptop git
account-create-token = Token erstellen
account-language = Sprache
account-language-label = Die Sprache, in der Lore mit dir spricht
account-language-browser = Wie mein Browser es wünscht
account-language-save = Sprache speichern

## The editor

edit-title-new = { $title } anlegen
edit-title = { $title } bearbeiten
edit-new-page-at = Neue Seite unter
edit-section-only = nur Abschnitt { $section }
edit-not-saved = Nicht gespeichert.
edit-conflict-lead = { $who } hat diese Seite geändert, während du sie bearbeitet hast. Nichts wurde gespeichert, und nichts von dem, was du geschrieben hast, ist verloren.
edit-conflict-rows = Der Editor unten enthält beide Fassungen zusammengeführt. Wo ihr beide dieselben Zeilen geändert habt, steht deine; wähle für jede Stelle:
edit-conflict-row-front-matter = Änderung { $number }: Front Matter, Zeile { $line }
edit-conflict-row = Änderung { $number }: Zeile { $line }
edit-conflict-theirs = Deren Fassung ({ $who })
edit-conflict-they-removed = (diese Zeilen wurden dort entfernt)
edit-conflict-yours = Deine
edit-conflict-you-removed = (du hast diese Zeilen entfernt)
edit-conflict-change = Änderung { $number }
edit-keep-mine = Meine behalten
edit-keep-theirs = Deren behalten
edit-keep-both = Beide behalten
edit-conflict-merged = Der Editor unten enthält beide Fassungen zusammengeführt: prüfe sie und speichere.
edit-conflict-diff = Alle Unterschiede: deren Fassung verglichen mit deiner
edit-conflict-their-version = Deren vollständige Fassung
edit-conflict-hint = Speichern ersetzt deren Fassung durch den Inhalt des Editors.
edit-draft = Du hast einen ungespeicherten Entwurf.
edit-draft-restore = Entwurf wiederherstellen
edit-draft-discard = Verwerfen
edit-field-title = Titel
edit-tags-hint = Durch Kommas getrennt, zum Beispiel: netzwerk, anleitung
edit-field-owners = Zuständige
edit-owners-hint = Wer diese Seite aktuell hält: E-Mail-Adressen oder Teams, durch Kommas getrennt
edit-advanced = Erweitert: Front Matter (YAML)
edit-front-matter-problem = Problem im Front Matter, { $problem }
edit-front-matter-label = Front Matter, ohne die { $marker }-Zeilen
edit-front-matter-hint = Alle Einstellungen der Seite, etwa { $example1 } oder { $example2 }. Wenn du oben Titel, Schlagwörter oder Zuständige änderst, schreibt Speichern sie hierher.
edit-tabs = Anzeigen
edit-tab-write = Schreiben
edit-preview = Vorschau
edit-section-text = Text des Abschnitts (Markdown)
edit-page-text = Text der Seite (Markdown)
edit-toolbar = Formatierung
edit-tool-heading = Überschrift
edit-tool-bold = Fett
edit-tool-italic = Kursiv
edit-tool-link = Link
edit-tool-page-link = Link auf eine Seite
edit-tool-page-link-title = Link auf eine Seite dieses Wikis
edit-tool-page = Seite
edit-tool-mention = Jemanden erwähnen
edit-tool-bullets = Aufzählung
edit-tool-list = Liste
edit-tool-tasks-label = Aufgaben: eine Checkliste
edit-tool-task-list = Aufgabenliste
edit-tool-tasks = Aufgaben
edit-tool-table = Tabelle
edit-tool-code = Code
edit-tool-quote = Zitat
edit-tool-upload = Ein Bild oder eine Datei hochladen
edit-tool-upload-short = Hochladen
edit-picker-label = Seite finden
edit-picker-hint = ↑ ↓ zum Auswählen, Eingabe zum Einfügen, Esc zurück zum Text
edit-text-placeholder = Schreib die Seite hier. Die Werkzeugleiste und der Spickzettel unten zeigen, wie.
edit-text-hint = Markdown: **fett**, [[Seitenname]], ## Überschrift. Mehr im Spickzettel unten.
edit-text-hint-front-matter = Front Matter (Titel, Schlagwörter, …) steht oben zwischen ---‑Zeilen
edit-attach = Dateien anhängen
edit-drop-hint = Bilder oder Dateien auf den Text ziehen, um sie hochzuladen
edit-cheat-sheet = Markdown-Spickzettel und Tastenkürzel
edit-cheat-want = Du willst
edit-cheat-type = Du tippst
edit-cheat-shortcut = Tastenkürzel
edit-cheat-heading = Abschnittsüberschrift
edit-cheat-bold = Fett, kursiv
edit-cheat-numbered = Nummerierte Liste
edit-cheat-page-link = Link auf eine Seite
edit-cheat-image = Bild
edit-cheat-image-how = Hochladen oder die Datei auf den Text ziehen
edit-cheat-code-block = oder ein Block:
edit-cheat-callout = Hinweisbox
edit-cheat-also = auch
edit-save = Speichern
edit-cheat-mac = Auf dem Mac { $cmd } statt { $ctrl } verwenden. In der Werkzeugleiste wechseln die Pfeiltasten zwischen den Knöpfen.
edit-cheat-guide = Alles, was Lore darstellt: die Markdown-Anleitung
edit-your-name = Dein Name
edit-your-email = Deine E-Mail
edit-message = Beschreibe deine Änderung
cancel = Abbrechen
edit-save-hint = Strg+S speichert

## Scripts

js-section-link = Link auf diesen Abschnitt
js-suggestions = Vorschläge
js-pages-in = Seiten in { $folder }
js-more = { $n } weitere
js-copied = Kopiert
js-copy = Kopieren
js-shortcuts = Tastenkürzel
js-shortcut-search = Suchen
js-shortcut-help = Diese Hilfe
js-shortcut-edit = Diese Seite bearbeiten
js-shortcut-save = Speichern (im Editor)
js-close = Schließen
js-time-just-now = gerade eben
js-preview-failed = Vorschau nicht aktualisiert: { $error }
js-network-error = Netzwerkfehler
js-draft-earlier-visit = einem früheren Besuch
js-draft-from = Du hast einen ungespeicherten Entwurf von { $when }.
js-draft-from-changed = Du hast einen ungespeicherten Entwurf von { $when } (die Seite hat sich seitdem geändert; Speichern führt ihn mit diesen Änderungen zusammen).
js-uploading = { $name } wird hochgeladen …
js-uploaded = { $name } hochgeladen.
js-upload-failed = { $name } konnte nicht hochgeladen werden: { $error }
js-file-too-large = die Datei ist zu groß
js-bold-text = fetter Text
js-italic-text = kursiver Text
js-picker-page = Link auf eine Seite: tippe einen Teil ihres Titels
js-picker-person = Jemanden erwähnen: tippe einen Teil des Namens
js-search-failed = Suche nicht möglich: { $error }
js-conflict-moved = Du hast diese Zeilen im Editor inzwischen geändert: ändere sie dort.
js-conflict-both = Der Editor enthält beide, deine zuerst.
js-conflict-mine = Der Editor enthält deine.
js-conflict-theirs = Der Editor enthält deren.

## Notices after an action

notice-merged = Gespeichert: mit den Änderungen von { $name } zusammengeführt.
notice-saved = Gespeichert.
notice-unchanged = Keine Änderungen zu speichern.
notice-moved = Verschoben. Die alte Adresse leitet hierher weiter.
notice-restored = Wiederhergestellt.

## History, changes, commits and blame

history-title = Verlauf von { $title }
history-hint = Um zwei Fassungen zu vergleichen, wähle eine in der linken Spalte (von) und eine in der rechten Spalte (bis).
history-compare-from = Vergleichen von
history-from = Von
history-to = Bis
history-change = Änderung
history-author = Autor/in
history-when = Wann
history-lines = Zeilen
history-compare-from-commit = Vergleichen von { $commit }
history-compare-to-commit = Vergleichen bis { $commit }
history-deleted = gelöscht
history-no-message = (keine Beschreibung)
history-as-path = als { $path }
history-pushed-by = gepusht von { $who }
history-compare = Ausgewählte Fassungen vergleichen
history-pager = Seiten des Verlaufs
pager-newer = Neuer
pager-page = Seite { $n }
pager-older = Älter
changes-feed = Im Feedreader folgen (Atom)
changes-filter-label = Änderungen filtern
changes-author-placeholder = Name oder E-Mail
changes-folder = Ordner
changes-filter = Filtern
changes-none = Keine passenden Änderungen.
changes-pager = Seiten der Änderungen
commit-title = Commit { $commit }
commit-by = von { $author },
commit-pushed-by = gepusht von { $who },
commit-parent = Vorgänger
commit-files = 
    { $n ->
        [one] 1 Datei geändert.
       *[other] { $n } Dateien geändert.
    }
blame-title = Zeilenherkunft von { $title }
diff-no-changes = Keine Änderungen am Text.
changes-folder-placeholder = technik/

## Comparing, moving and deleting

diff-title = Änderungen an { $title }
diff-from-to = Von { $from } bis { $to }
diff-views = Ansichten des Vergleichs
diff-unified = Zusammen
diff-split = Nebeneinander
diff-full = Mehr zeigen (ganze Seite)
move-title = { $title } verschieben
move-heading = „{ $title }“ verschieben oder umbenennen
move-new-path = Neuer Pfad
move-hint = Die alte Adresse funktioniert weiter: Sie leitet auf die neue weiter, und Wiki-Links auf den alten Namen führen weiterhin zum Ziel.
move-submit = Seite verschieben
delete-title = { $title } löschen
delete-heading = „{ $title }“ löschen?
delete-lead = Die Seite verschwindet aus dem Wiki, aber nichts geht verloren: Ihr Verlauf bewahrt jede Fassung, und alle können sie unter ihrer alten Adresse wiederherstellen.
delete-why = Warum? (optional)
delete-submit = Seite löschen

## New page, tags and links

new-open-existing = Diese Seite öffnen
new-or-another-name =  oder wähle einen anderen Namen.
new-suggestion = Die Felder unten sind jetzt entsprechend ausgefüllt: leg sie an oder ändere sie.
new-title-hint = Worum es auf der Seite geht, so wie Lesende es sehen, zum Beispiel „So deployen wir“.
new-top-level = (oberste Ebene)
new-folder-hint = Ein bestehender Ordner oder ein neuer: kleingeschriebene Wörter mit Bindestrichen verbunden, etwa { $example }.
new-name = Name in der Adresse
new-name-placeholder = aus dem Titel gebildet
new-name-hint = Leer lassen, um ihn aus dem Titel zu bilden: kleingeschriebene Wörter mit Bindestrichen verbunden.
new-address = Die Seite wird zu finden sein unter
new-start-from = Beginnen mit
new-blank = Leerer Seite
new-create = Anlegen
tags-count = 
    { $n ->
        [one] 1 Schlagwort
       *[other] { $n } Schlagwörter
    }
tags-none = Noch keine Seite hat Schlagwörter. Füge { $example } zum Front Matter einer Seite hinzu.
tag-title = Mit „{ $tag }“ verschlagwortet
tag-feed-title = Änderungen an Seiten mit dem Schlagwort { $tag }
tag-sort-by = Sortieren nach
tag-sort-title = Titel
tag-sort-changed = letzter Änderung
tag-feed = Änderungen als Feed (Atom)
tag-all = Alle Schlagwörter
links-broken = Defekte Links
links-orphans = Verwaiste Seiten
links-broken-lead = Links auf Seiten, die es noch nicht gibt, und auf fehlende Dateien, die meistgesuchten zuerst (was { $command } meldet).
links-orphans-lead = Seiten, auf die keine andere Seite verlinkt: verlinke sie von einer Stelle, an der Leute nachsehen.
links-missing = Fehlt
links-linked-from = Verlinkt von
links-none-broken = Jeder Link führt zu einer Seite, die es gibt.
links-none-orphans = Jede Seite wird von irgendwo verlinkt.

## People

people-lead = Alle, die hier geschrieben haben, nach den Zeilen, die heute noch auf den Seiten stehen.
people-indexing = Die Autorschaft wird noch erfasst; die Zahlen können unvollständig sein.
people-needs-attention = Braucht Aufmerksamkeit
people-person = Person
people-lines-standing = Noch stehende Zeilen
people-commits = Commits
people-accepted = Akzeptierte Antworten
people-last-active = Zuletzt aktiv
people-lines = Zeilen
person-since = seit { $date }
person-hand-over = Ihre Seiten übergeben
person-last-active = zuletzt aktiv { $when }
person-answers = Antworten
person-answers-accepted = { $n } ({ $accepted } akzeptiert)
person-strongest = Am stärksten in
person-tag-lines = 
    { $n ->
        [one] 1 Zeile
       *[other] { $n } Zeilen
    }
person-pages = Was von ihnen noch steht
person-their-lines = Ihre Zeilen
person-share = Anteil
person-main-author = Hauptautor/in
person-none = Keine ihrer Zeilen steht heute noch auf den Seiten.
follow-link-title = Erhalte, was mit { $label } passiert, in deinem Posteingang
follow-link = Folgen

## Following and the inbox

follow-this = 
    { $kind ->
        [page] diese Seite
        [folder] diesen Ordner
        [tag] dieses Schlagwort
        [question] diese Frage
       *[person] dieser Person
    }
follow-title = { $label } folgen
follow-following = Du folgst { $this }: Was damit passiert, landet in deinem { $inbox }.
follow-inbox = Posteingang
follow-muted = Du hast { $this } stummgeschaltet: Nichts davon erreicht dich.
follow-offer = Folge { $this }, um in deinem { $inbox } zu erfahren, was damit passiert, oder schalte es stumm, um nichts davon zu hören.
follow-mute = Stummschalten
follow-unmute = Stummschaltung aufheben
follow-unfollow = Nicht mehr folgen
follow-everything = Alles, dem du folgst
follows-title = Dem du folgst
follows-lead = Änderungen daran landen in deinem { $inbox }. Lore folgt für dich allem, was du anlegst, bearbeitest, fragst oder beantwortest; Stummgeschaltetes erreicht dich nie.
follows-what = Was
follows-kind = Art
follows-since = Seit
actions = Aktionen
follows-muted = stumm
follows-automatic = automatisch
follow-kind = 
    { $kind ->
        [page] Seite
        [folder] Ordner
        [tag] Schlagwort
        [question] Frage
       *[person] Person
    }
follows-none = Du folgst noch nichts. Nutze den Folgen-Knopf auf einer Seite, einem Ordner, einem Schlagwort, einer Frage oder einer Person.
inbox-unread = { $n } ungelesen.
inbox-nothing-unread = Nichts ungelesen.
inbox-show-all = Alle zeigen
inbox-show-unread = Nur Ungelesenes zeigen
inbox-mark-all = Alle als gelesen markieren
inbox-mark-read = Als gelesen markieren
inbox-empty = Hier ist noch nichts. Folge Seiten, Ordnern, Schlagwörtern, Fragen oder Personen, dann erscheint hier, was mit ihnen passiert.

## Search results

search-title = Suche: { $query }
search-results-for = Ergebnisse für „{ $query }“
search-count = 
    { $n ->
        [one] 1 Ergebnis in { $ms } ms
       *[other] { $n } Ergebnisse in { $ms } ms
    }
search-indexing = der Index wird noch aufgebaut, die Ergebnisse können unvollständig sein
search-showing-for = Keine Ergebnisse für „{ $query }“. Ergebnisse für { $corrected } werden angezeigt.
search-did-you-mean = Meintest du { $suggestion }?
page-kind = 
    { $kind ->
        [page] Seite
        [question] Frage
       *[other] { $kind }
    }
search-accepted-answer = Akzeptierte Antwort:
search-nothing = Im Wiki passt noch nichts zu „{ $query }“.
search-try = Versuche es mit weniger oder anderen Wörtern, oder frag die Leute, die sich auskennen.
search-didnt-find = Nicht gefunden?
search-ask = Als Frage stellen
search-pager = Seiten der Ergebnisse
pager-previous = Zurück
pager-next = Weiter
search-filters = Filter
search-filter-results = Ergebnisse filtern
search-experts = Wer kennt sich damit aus?
search-expert-lines = noch stehende Zeilen in passenden Seiten
search-expert-answers = 
    { $n ->
        [one] 1 akzeptierte Antwort
       *[other] { $n } akzeptierte Antworten
    }
search-facet-kind = Art
search-facet-language = Sprache
search-facet-folders = Ordner

## Account pieces, verifying, promoting, unsubscribing

tokens-user = Konto
tokens-name = Name
tokens-created = Erstellt
tokens-last-used = Zuletzt benutzt
tokens-revoke = Widerrufen
role = 
    { $role ->
        [reader] Lesen
        [editor] Bearbeiten
        [admin] Verwaltung
       *[other] { $role }
    }
verify-title = { $title } prüfen
verify-heading = Stimmt „{ $title }“ noch?
verify-lead = Als geprüft markieren trägt das heutige Datum und deinen Namen in einem Commit ins Front Matter ein und startet die Prüffrist neu.
verify-edit = Nein, bearbeiten
promote-title = Diese Antwort zu einer Seite machen
promote-lead = Die Seite verlinkt zurück auf die Frage und die Frage auf die Seite. Passe den Text an, damit er sich wie Dokumentation liest.
promote-path = Pfad der Seite
promote-submit = Seite anlegen
unsubscribe = Abbestellen
unsubscribe-done = 
    { $list ->
        [for_me] Erledigt: { $user } bekommt keine E-Mails mehr über Erwähnungen und Fragen an sich.
        [following] Erledigt: { $user } bekommt keine E-Mails mehr über Gefolgtes.
       *[other] Erledigt: { $user } bekommt keine E-Mails mehr.
    }
unsubscribe-inbox = Der Posteingang im Wiki zeigt weiterhin alles. Wenn du es dir anders überlegst, melde dich an und öffne { $settings }.
unsubscribe-settings = deine Benachrichtigungseinstellungen
unsubscribe-ask = 
    { $list ->
        [for_me] E-Mails an { $user } über Erwähnungen und Fragen an sich abbestellen?
        [following] E-Mails an { $user } über Gefolgtes abbestellen?
       *[other] Alle E-Mails an { $user } aus diesem Wiki abbestellen?
    }

## Questions

questions-feed-title = Neue Fragen
questions-tagged = Fragen mit dem Schlagwort „{ $tag }“
questions-ask = Eine Frage stellen
questions-feed = Neuen Fragen folgen (Atom)
questions-filter = Fragen filtern
questions-answered = Beantwortet
questions-open = Offen
questions-answers = 
    { $n ->
        [one] 1 Antwort
       *[other] { $n } Antworten
    }
questions-asked-by = gefragt von { $who }
questions-active = aktiv { $when }
questions-none = Hier gibt es noch keine Fragen.
ask-lead = Die Leute, die sich auskennen, antworten hier, und die Antwort bleibt für alle auffindbar, die als Nächstes fragen.
ask-question = Deine Frage
ask-placeholder = Wie bekomme ich von zu Hause aus VPN-Zugang?
ask-similar = Schon beantwortet? Diese sehen ähnlich aus:
ask-details = Details
ask-details-note = Markdown: was du versucht hast, was du brauchst
ask-tags-note = durch Kommas getrennt
ask-tags-placeholder = it, vpn
ask-submit = Fragen
questions-filter-label = 
    { $filter ->
        [unanswered] Unbeantwortet
        [answered] Beantwortet
        [mine] Von mir gefragt
       *[all] Alle
    }
question-feed-title = Antworten auf diese Frage
question-asked-by = Gefragt von { $who }
question-feed = Antworten als Feed (Atom)
question-promoted = Diese Antwort ist jetzt eine Wiki-Seite:
question-read-page = Seite lesen.
question-accepted = ✓ Akzeptierte Antwort
question-accept = Diese Antwort akzeptieren
question-promote = Zu einer Wiki-Seite machen
question-experts = Wer es wissen könnte:
question-your-answer = Deine Antwort
question-your-answer-markdown = Deine Antwort (Markdown)
question-answer-placeholder = Schreib die Antwort, die du gern gefunden hättest (Markdown geht).
question-post = Antwort veröffentlichen

## Review

review-hand-over = Seiten übergeben
review-feed-title = Zu prüfende Seiten
review-hand-over-person = Seiten von { $person } übergeben
review-hand-over-lead = Alles, wofür { $person } zuständig war oder was überwiegend von ihr oder ihm stammt. Wähle die Seiten, nenne die neue Zuständigkeit und übergib sie in einem Commit.
review-lead = Seiten nach ihrem Prüfdatum, mit Zuständigen oder Hauptautor/innen, die gegangen sind, unbeantwortete Fragen und defekte Links.
review-feed = Folgen (Atom)
review-upkeep = Wie dieses Wiki gepflegt wird
review-unowned-link = 
    { $n ->
        [one] Die 1 Seite ohne Zuständige ansehen
       *[other] Die { $n } Seiten ohne Zuständige ansehen
    }
review-unowned-then = , wähle einige aus und gib ihnen unten eine Zuständigkeit (ein Commit).
review-untouched-link = 
    { $n ->
        [one] Die 1 Seite ansehen, die seit einem Jahr nicht bearbeitet wurde
       *[other] Die { $n } Seiten ansehen, die seit einem Jahr nicht bearbeitet wurden
    }
review-untouched-then = , die ältesten zuerst: lies jede und bearbeite sie oder markiere sie als geprüft.
review-front-matter-tip = Oder schreib { $owners } und { $review } ins Front Matter einer Seite: Sie erscheint dann wieder hier, wenn ihre Prüfung fällig ist.
review-filter = Nach Grund filtern
review-all = Alle
review-reason = 
    { $reason ->
        [review] Prüfdatum überschritten
        [owner] Zuständige Person gegangen
        [author] Hauptautor/in gegangen
        [unanswered] Unbeantwortet
        [unowned] Niemand zuständig
        [untouched] Seit einem Jahr nicht bearbeitet
       *[other] Defekte Links
    }
review-departed = Gegangen sind:
review-shown = { $shown } von { $total } Seiten angezeigt.
review-choose = Auswählen
review-why = Warum
review-last-edit = Letzte Bearbeitung
review-choose-page = { $title } auswählen
review-mark-verified = Als geprüft markieren
review-give-to = Die ausgewählten Seiten übergeben an
review-owner-placeholder = Name <E-Mail> oder ein Team
review-assign = Zuständigkeit zuweisen
review-pager = Seiten der Liste
review-well-kept = Nichts braucht Aufmerksamkeit. Gut gepflegt!
review-nothing-due = Nichts hat sein Prüfdatum überschritten, keine zuständige Person ist gegangen und kein Link ist defekt: Was fehlt, steht oben.

## Notifications

notifications = Benachrichtigungen
notifications-no-mail = Dieses Wiki verschickt noch keine E-Mails (wer es betreibt, richtet das in { $file } ein). Deine Auswahl bleibt dafür gespeichert.
notifications-for-me = E-Mail bei Erwähnungen und Fragen an mich
notifications-frequency = 
    { $frequency ->
        [instant] sofort
        [daily] tägliche Zusammenfassung
        [weekly] wöchentliche Zusammenfassung
       *[other] aus
    }
notifications-following = E-Mail zu dem, dem ich folge
notifications-auto-follow = Allem folgen, was ich anlege, bearbeite, frage oder beantworte
notifications-hint = Zusammenfassungen gehen einmal täglich raus (wöchentliche montags). Jede E-Mail hat einen Link zum Abbestellen ohne Anmeldung.
notifications-need-login = Benachrichtigungen brauchen eine Anmeldung.
notifications-open-mode = Dieses Wiki läuft im offenen Modus ohne Konten: Es gibt niemanden, dem E-Mails geschickt werden könnten. Webhooks in den Chat funktionieren weiterhin.

## Administration

admin-title = Verwaltung
admin-summary = 
    Modus { $mode } · anonymes Lesen { $anonymous ->
        [on] an
       *[off] aus
    } · neue Konten: { $role } · { $sessions } aktive Sitzungen
admin-health = Repository und Indizes
admin-repository = Repository
admin-head = Head
admin-empty = leer
admin-pages-files = { $pages } Seiten, { $files } Dateien
admin-history-index = Verlaufsindex
admin-ready = bereit
admin-building = wird aufgebaut …
admin-search-index = Suchindex
admin-current = aktuell
admin-catching-up = holt auf (bei { $commit })
admin-accounts = Konten
admin-columns-local = Name, E-Mail, Rolle, Gruppen, Status
admin-columns = Rolle, Gruppen, Status
admin-disabled = gesperrt
admin-role = Rolle
admin-groups = Gruppen
admin-groups-placeholder = Gruppen, durch Kommas getrennt
admin-no-accounts = Noch keine Konten.
admin-add-account-title = Konto hinzufügen
admin-new-groups-placeholder = personal, recht
admin-first-password = Erstes Passwort (mindestens 8 Zeichen)
admin-add-account = Konto hinzufügen
admin-no-tokens = Keine Tokens.
admin-delivery = E-Mail und Webhooks
admin-mail = { $server } als { $from } · Zusammenfassungen um { $hour }:00 UTC
admin-mail-off = aus (kein { $key } in { $file })
admin-webhooks = Webhooks
admin-webhook-to = { $format } an { $host }
admin-webhook-paths = Pfade { $paths }
admin-webhook-tags = Schlagwörter { $tags }
admin-none = keine
admin-deliveries = Letzte Webhook-Zustellungen
admin-webhook = Webhook
admin-event = Ereignis
admin-status = Status
admin-attempts = Versuche
admin-last-error = Letzter Fehler
admin-next-try = (nächster Versuch { $at })
admin-no-deliveries = Noch keine Webhook-Zustellungen.
admin-rules = Ordnerregeln
admin-rule-read = lesen: { $who }
admin-rule-edit = bearbeiten: { $who }
admin-no-rules = Keine: Allein die Rollen entscheiden.
admin-proxies = Vertrauenswürdige Proxys:
admin-change-rules = Ändere das in { $file } (siehe { $doc }) und starte neu.

## Messages handlers show in forms

login-too-many = 
    { $minutes ->
        [one] Zu viele fehlgeschlagene Anmeldungen. Versuch es in 1 Minute noch einmal.
       *[other] Zu viele fehlgeschlagene Anmeldungen. Versuch es in { $minutes } Minuten noch einmal.
    }
login-wrong = Falscher Benutzername oder falsches Passwort.
password-mismatch = Die neuen Passwörter stimmen nicht überein.
password-too-many = 
    { $minutes ->
        [one] Zu viele falsche Passwörter. Versuch es in 1 Minute noch einmal.
       *[other] Zu viele falsche Passwörter. Versuch es in { $minutes } Minuten noch einmal.
    }
password-wrong = Dein aktuelles Passwort stimmt nicht.

## What happened, in the inbox, e-mails, digests and chat posts

event-someone = Jemand
event-page-created = { $actor } hat „{ $title }“ angelegt
event-page-changed = { $actor } hat „{ $title }“ geändert
event-page-deleted = { $actor } hat „{ $title }“ gelöscht
event-page-moved = { $actor } hat „{ $title }“ verschoben
event-question-asked = { $actor } hat „{ $title }“ gefragt
event-question-for-you = Vielleicht kennst du die Antwort: { $actor } hat „{ $title }“ gefragt
event-answer-posted = { $actor } hat auf „{ $title }“ geantwortet
event-answer-accepted = { $actor } hat eine Antwort auf „{ $title }“ akzeptiert
event-mentioned = { $actor } hat dich in „{ $title }“ erwähnt
event-review-due = „{ $title }“ muss geprüft werden
event-owner-departed = „{ $title }“ braucht eine neue zuständige Person
event-other = { $actor }: { $kind } „{ $title }“
event-summary-moved = Verschoben von { $from }
event-summary-removed = Entfernt: { $lines }
event-summary-front-matter = Front Matter geändert
event-summary-deleted = Gelöscht
event-summary-unanswered = Noch unbeantwortet: { $title }
event-summary-review-since = Prüfung fällig seit { $since }
event-summary-owner-left = { $name } ist nicht mehr dabei: diese Seite braucht einen neuen Verantwortlichen
inbox-n-changes = 
    { $n ->
        [one] (1 Änderung)
       *[other] ({ $n } Änderungen)
    }
why-mentioned = du wurdest erwähnt
why-owner = du bist für die Seite zuständig
why-own-answer = es ist deine Antwort
why-expert = das Wiki meint, dass du die Antwort kennen könntest
why-follow = 
    { $kind ->
        [page] du folgst der Seite { $target }
        [folder] du folgst dem Ordner { $target }
        [tag] du folgst dem Schlagwort { $target }
        [person] du folgst der Person { $target }
        [question] du folgst der Frage { $target }
       *[other] du folgst { $target }
    }
why-for-me = es betrifft dich
why-following = es betrifft etwas, dem du folgst
why-digest = 
    { $period ->
        [weekly] du hast eine wöchentliche Zusammenfassung gewählt
       *[other] du hast eine tägliche Zusammenfassung gewählt
    }
mail-open-it = Öffnen: { $url }
mail-open-in = In { $site } öffnen
mail-why = Warum du diese Nachricht bekommst: { $why }.
mail-settings = Einstellen, wann { $site } dir E-Mails schickt
mail-unsubscribe = Abbestellen
digest-subject = 
    { $period ->
        [weekly]
            { $n ->
                [one] Deine wöchentliche Zusammenfassung: 1 Neuigkeit
               *[other] Deine wöchentliche Zusammenfassung: { $n } Neuigkeiten
            }
       *[other]
            { $n ->
                [one] Deine tägliche Zusammenfassung: 1 Neuigkeit
               *[other] Deine tägliche Zusammenfassung: { $n } Neuigkeiten
            }
    }
digest-intro = 
    { $period ->
        [weekly]
            { $n ->
                [one] Deine wöchentliche Zusammenfassung aus { $site }: 1 Neuigkeit.
               *[other] Deine wöchentliche Zusammenfassung aus { $site }: { $n } Neuigkeiten.
            }
       *[other]
            { $n ->
                [one] Deine tägliche Zusammenfassung aus { $site }: 1 Neuigkeit.
               *[other] Deine tägliche Zusammenfassung aus { $site }: { $n } Neuigkeiten.
            }
    }
digest-times = 
    { $n ->
        [one] (einmal)
       *[other] ({ $n }-mal)
    }
digest-more = 
    { $n ->
        [one] …und 1 weitere in deinem Posteingang
       *[other] …und { $n } weitere in deinem Posteingang
    }
digest-inbox = Dein Posteingang

## Why a page is on the review radar, and how the wiki is kept

review-reason-past-date = Prüfung fällig seit { $since }
review-reason-owner-departed = die zuständige Person { $owner } ist gegangen
review-reason-owner-inactive = die zuständige Person { $owner } ist inaktiv
review-reason-author-departed = größtenteils von { $name } geschrieben, die nicht mehr da ist
review-reason-unanswered = 
    { $days ->
        [one] seit 1 Tag unbeantwortet
       *[other] seit { $days } Tagen unbeantwortet
    }
review-reason-broken-links = 
    { $n ->
        [one] 1 defekter Link
       *[other] { $n } defekte Links
    }
review-reason-owned-by = zuständig: { $owner }
review-reason-mostly-written-by = größtenteils von { $name } geschrieben
review-reason-no-owner = niemand zuständig
review-reason-untouched = seit { $since } weder bearbeitet noch geprüft
upkeep-without-owner = 
    { $n ->
        [one] 1 Seite hat keine zuständige Person
       *[other] { $n } Seiten haben keine zuständige Person
    }
upkeep-none-owned = 
    { $n ->
        [one] die 1 Seite hat keine zuständige Person
       *[other] keine der { $n } Seiten hat eine zuständige Person
    }
upkeep-all-untouched = alle wurden zuletzt vor über einem Jahr bearbeitet
upkeep-untouched = 
    { $n ->
        [one] 1 wurde zuletzt vor über einem Jahr bearbeitet
       *[other] { $n } wurden zuletzt vor über einem Jahr bearbeitet
    }
upkeep-no-review-dates = keine Seite hat ein Prüfdatum
upkeep-without-review-date = 
    { $n ->
        [one] 1 hat kein Prüfdatum
       *[other] { $n } haben kein Prüfdatum
    }
upkeep-separator = { "; " }
upkeep-summary = { $parts }.

## Why a diff shows no lines

diff-note-long = Dieser Vergleich ist lang: Nur die ersten { $n } Zeilen werden gezeigt.
diff-note-binary = Binärdatei: kein zeilenweiser Vergleich.
diff-note-too-large = Diese Datei ist zu groß, um sie hier zu vergleichen.

## Atom feeds and the app manifest

feed-changes = { $site }: Letzte Änderungen
feed-changes-in = { $site }: Letzte Änderungen in { $folder }
feed-changes-tagged = { $site }: Letzte Änderungen mit dem Schlagwort { $tag }
feed-changes-in-tagged = { $site }: Letzte Änderungen in { $folder } mit dem Schlagwort { $tag }
feed-no-message = (keine Beschreibung)
feed-changed-paths = Geändert: { $paths }
feed-questions = { $site }: Fragen
feed-questions-tagged = { $site }: Fragen mit dem Schlagwort { $tag }
feed-question-summary = 
    { $n ->
        [one] 1 Antwort
       *[other] { $n } Antworten
    }; { $status ->
        [answered] beantwortet
       *[other] offen
    }
feed-someone = jemand
feed-answers = Antworten: { $title }
feed-answer-by = Antwort von { $name }
feed-review = Seiten, die geprüft werden müssen
feed-review-owner = Seiten von { $owner }, die geprüft werden müssen
manifest-description = { $site }: das Wiki, offline lesbar für die zuletzt gelesenen Seiten

## Reading offline (the service worker)

js-offline-copy = Offline-Kopie, Stand { $date }.
js-offline-earlier-visit = eines früheren Besuchs
js-offline-may-have-changed = Du bist offline; diese Seite hat sich seitdem vielleicht geändert.
js-offline-title = Offline
js-offline-heading = Du bist offline
js-offline-no-copy = Auf diesem Gerät gibt es keine Offline-Kopie von { $path }. Seiten, die du online liest, werden hier aufbewahrt, die letzten { $n } davon.
js-offline-readable = Seiten, die du offline lesen kannst

## What handlers tell people in forms and notices

new-page-exists = Unter { $url } gibt es schon eine Seite.
new-page-against-hint = Adressen sind kleingeschriebene Wörter, verbunden durch Bindestriche, also wird aus „{ $typed }“ { $better }.
new-page-title-no-letters = Der Titel braucht einen Buchstaben oder eine Ziffer, damit eine Adresse daraus werden kann.
replica-not-caught-up = Gespeichert. Dieser Server hat deine Änderung noch nicht übernommen; sie erscheint hier in wenigen Sekunden
history-message-hidden = (Dieser Commit hat auch Seiten geändert, die du nicht lesen darfst; seine Beschreibung wird nicht gezeigt.)
error-no-theme-file = Dieses Theme hat keine solche Datei.
error-get-only = Diese Adresse beantwortet nur GET.
error-nothing-here = Unter dieser Adresse gibt es nichts.
error-no-service-worker = Dieses Theme hat keinen Service Worker.
