# A interface do Lore em português do Brasil.

## Dates and times

date-time = { $day2 }/{ $month2 }/{ $year } { $time } UTC
time-just-now = agora mesmo
time-minutes-ago = { $n ->
    [one] há 1 minuto
   *[other] há { $n } minutos
}
time-hours-ago = { $n ->
    [one] há 1 hora
   *[other] há { $n } horas
}
time-days-ago = { $n ->
    [one] há 1 dia
   *[other] há { $n } dias
}
time-months-ago = { $n ->
    [one] há 1 mês
   *[other] há { $n } meses
}
time-years-ago = { $n ->
    [one] há 1 ano
   *[other] há { $n } anos
}
