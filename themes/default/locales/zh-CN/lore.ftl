# Lore 界面（简体中文）。

## Dates and times

date-time = { $year }年{ $month }月{ $day }日 { $time } UTC
time-just-now = 刚刚
time-minutes-ago = { $n } 分钟前
time-hours-ago = { $n } 小时前
time-days-ago = { $n } 天前
time-months-ago = { $n } 个月前
time-years-ago = { $n } 年前
