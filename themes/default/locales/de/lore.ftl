# Lores Oberfläche auf Deutsch.

## Dates and times

date-time = { $day2 }.{ $month2 }.{ $year }, { $time } UTC
time-just-now = gerade eben
time-minutes-ago = { $n ->
    [one] vor 1 Minute
   *[other] vor { $n } Minuten
}
time-hours-ago = { $n ->
    [one] vor 1 Stunde
   *[other] vor { $n } Stunden
}
time-days-ago = { $n ->
    [one] vor 1 Tag
   *[other] vor { $n } Tagen
}
time-months-ago = { $n ->
    [one] vor 1 Monat
   *[other] vor { $n } Monaten
}
time-years-ago = { $n ->
    [one] vor 1 Jahr
   *[other] vor { $n } Jahren
}
