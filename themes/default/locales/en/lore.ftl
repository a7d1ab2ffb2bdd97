# Lore's interface in English: the reference every other language has exactly the messages of.
# Ids starting with `js-` are the scripts' (variables stay `{$name}` for them to fill in).

## Dates and times

date-time = { $year }-{ $month2 }-{ $day2 } { $time } UTC
time-just-now = just now
time-minutes-ago = { $n ->
    [one] 1 minute ago
   *[other] { $n } minutes ago
}
time-hours-ago = { $n ->
    [one] 1 hour ago
   *[other] { $n } hours ago
}
time-days-ago = { $n ->
    [one] 1 day ago
   *[other] { $n } days ago
}
time-months-ago = { $n ->
    [one] 1 month ago
   *[other] { $n } months ago
}
time-years-ago = { $n ->
    [one] 1 year ago
   *[other] { $n } years ago
}
