# Lore のインターフェース（日本語）。

## Dates and times

date-time = { $year }年{ $month }月{ $day }日 { $time } UTC
time-just-now = たった今
time-minutes-ago = { $n } 分前
time-hours-ago = { $n } 時間前
time-days-ago = { $n } 日前
time-months-ago = { $n } か月前
time-years-ago = { $n } 年前
