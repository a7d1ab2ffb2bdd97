# A interface do Lore em português do Brasil.

## Dates and times

date-time = { $day2 }/{ $month2 }/{ $year } { $time } UTC
time-just-now = agora mesmo
time-minutes-ago = 
    { $n ->
        [one] há 1 minuto
       *[other] há { $n } minutos
    }
time-hours-ago = 
    { $n ->
        [one] há 1 hora
       *[other] há { $n } horas
    }
time-days-ago = 
    { $n ->
        [one] há 1 dia
       *[other] há { $n } dias
    }
time-months-ago = 
    { $n ->
        [one] há 1 mês
       *[other] há { $n } meses
    }
time-years-ago = 
    { $n ->
        [one] há 1 ano
       *[other] há { $n } anos
    }

## The frame of every page

skip-to-content = Pular para o conteúdo
open-mode-banner = Esta wiki está em modo aberto: qualquer pessoa que consiga acessá-la pode ler e editar todas as páginas.
search-label = Pesquisar na wiki
search-placeholder = Pesquisar (tecla /)
search-button = Pesquisar
menu = Menu
close = Fechar
nav-main = Principal
nav-all-pages = Todas as páginas
nav-questions = Perguntas
nav-questions-waiting = { $n } aguardando resposta
nav-questions-open = abertas
nav-people = Pessoas
nav-review = Revisão
nav-tags = Tags
nav-recent-changes = Alterações recentes
nav-new-page = Nova página
nav-breadcrumb = Trilha de navegação
nav-home = Início
git-recipe-title = Editar com git
git-recipe-steps = Edite, faça commit e depois { $push }
nav-more = Mais

## Account links in the header

nav-inbox = Caixa de entrada
nav-inbox-unread = não lidas
nav-admin = Administração
nav-your-account = Sua conta
log-out = Sair
log-in = Entrar

## Error pages

error-title-server = Algo deu errado
error-status = Erro { $status }
error-title-404 = Não encontrado
error-title-403 = Não permitido
error-title-401 = Faça login
error-title-429 = Tentativas demais
error-title-409 = Outra pessoa alterou isto
error-title-other = Isso não funcionou
error-server-explanation = O problema é do nosso lado, não do seu. Tentar de novo daqui a pouco costuma resolver; se continuar acontecendo, avise quem administra esta wiki.
error-go-home = Ir para a página inicial
error-browse-pages = Ver todas as páginas

## Pages and folders

not-found-title = Não encontrado: { $path }
not-found-lead = Esta página ainda não existe.
not-found-create = Criar esta página
not-found-search = Pesquisar por “{ $path }”
page-revision-banner = Você está vendo a versão de { $date } por { $author } ({ $commit })
page-view-current = ver a atual
page-compare-current = comparar com a atual
page-restore-version = Restaurar esta versão
page-undo-restore = Desfazer a restauração
page-actions = Ações da página
page-edit = Editar
page-history = Histórico
page-blame = Autoria
page-raw = Código-fonte
page-move = Mover
page-delete = Excluir
page-git-steps = Edite { $path }, faça commit, { $push }
page-last-edited = Editada pela última vez
page-last-edited-by-when = Editada pela última vez por { $who }, { $when }
page-last-edited-by = Editada pela última vez por { $who }
page-stewardship = Responsáveis e revisão
page-owners = Responsáveis: { $owners }
page-owners-left = { $names } saiu
page-no-owner = Sem responsável
page-needs-review = Precisa de revisão desde { $since }
page-verified-by = Verificada por { $who } em { $date }
page-verified = Verificada em { $date }
page-mark-verified = Marcar como verificada
page-health = 
    { $contributors ->
        [one] 1 colaborador
       *[other] { $contributors } colaboradores
    } · { $links ->
        [one] 1 página aponta para cá
       *[other] { $links } páginas apontam para cá
    }
page-edited-when = editada { $when }
page-problem = Problema nesta página:
page-translations = Traduções
page-also-in = Também em:
page-backlinks = Páginas que apontam para cá
page-contents = Sumário
page-pages = Páginas
tree-more = mais { $n }
tree-more-in = mais { $n } em { $folder }
tree-pages-in = Páginas em { $folder }
page-navigation = Navegação
page-on-this-page = Nesta página
page-sidebar = Barra lateral
page-tree = Árvore de páginas
nav-random = Página aleatória
folder-title = Índice de { $folder }
folder-empty = Esta pasta está vazia.
pages-count = 
    { $n ->
        [one] 1 página
       *[other] { $n } páginas
    }
pages-empty = A wiki ainda não tem páginas.
pages-write-first = Escreva a primeira.
deleted-title = Excluída: { $title }
deleted-lead = Esta página foi excluída por { $who } { $when }.
deleted-explanation = O histórico guarda todas as versões. Restaurar traz de volta a última como uma nova alteração.
deleted-restore = Restaurar
deleted-history = Ver o histórico da página
login-proxy = Esta wiki faz seu login pelo acesso da sua empresa. Abra-a pelo endereço que sua empresa forneceu.
login-username = Nome de usuário
login-password = Senha
login-help = Ainda não tem conta ou esqueceu a senha? Fale com quem administra esta wiki.

## Account

account-title = Sua conta
account-groups = grupos: { $groups }
account-mode = modo { $mode }
account-open-mode = Esta wiki está em modo aberto: não há contas, e as edições são assinadas com o nome que seu navegador guarda.
account-new-token = Seu novo token. Copie-o agora: ele só é mostrado uma vez.
account-notifications-link = Notificações: e-mail para menções, perguntas e o que você segue
account-profile = Perfil
account-name = Nome (assina suas edições; não pode ser o nome de outra conta)
account-email = E-mail
account-email-hint = Suas edições são assinadas com este endereço, por isso só um administrador pode alterá-lo.
account-save-profile = Salvar perfil
account-from-proxy = { $who } — do login da sua empresa.
account-current-password = Senha atual
account-new-password = Nova senha (pelo menos 8 caracteres)
account-new-password-again = Repita a nova senha
account-password-hint = Alterá-la encerra sua sessão em todos os outros lugares.
account-change-password = Alterar senha
account-tokens = Tokens pessoais
account-tokens-hint = Para o git (como senha) e a API ({ $header }).
account-no-tokens = Nenhum token ainda.
account-token-name = Nome do novo token
account-token-placeholder = git do notebook
account-create-token = Criar token
account-language = Idioma
account-language-label = O idioma em que o Lore fala com você
account-language-browser = Como meu navegador pede
account-language-save = Salvar idioma

## The editor

edit-title-new = Criar { $title }
edit-title = Editar { $title }
edit-new-page-at = Nova página em
edit-section-only = somente a seção { $section }
edit-not-saved = Não salvo.
edit-conflict-lead = { $who } alterou esta página enquanto você editava. Nada foi salvo, e nada do que você digitou se perdeu.
edit-conflict-rows = O editor abaixo contém as duas versões combinadas. Onde vocês dois mudaram as mesmas linhas, ficou a sua; escolha para cada uma:
edit-conflict-row-front-matter = Alteração { $number }: front matter, linha { $line }
edit-conflict-row = Alteração { $number }: linha { $line }
edit-conflict-theirs = Deles ({ $who })
edit-conflict-they-removed = (removeram estas linhas)
edit-conflict-yours = A sua
edit-conflict-you-removed = (você removeu estas linhas)
edit-conflict-change = Alteração { $number }
edit-keep-mine = Manter a minha
edit-keep-theirs = Manter a deles
edit-keep-both = Manter as duas
edit-conflict-merged = O editor abaixo contém as duas versões combinadas: confira e salve.
edit-conflict-diff = Todas as diferenças: a versão deles comparada com a sua
edit-conflict-their-version = A versão completa deles
edit-conflict-hint = Salvar substitui a versão deles pelo conteúdo do editor.
edit-draft = Você tem um rascunho não salvo.
edit-draft-restore = Restaurar rascunho
edit-draft-discard = Descartar
edit-field-title = Título
edit-tags-hint = Separadas por vírgulas, por exemplo: redes, tutorial
edit-field-owners = Responsáveis
edit-owners-hint = Quem mantém esta página correta: endereços de e-mail ou equipes, separados por vírgulas
edit-advanced = Avançado: front matter (YAML)
edit-front-matter-problem = Problema no front matter, { $problem }
edit-front-matter-label = Front matter, sem as linhas { $marker }
edit-front-matter-hint = Todas as configurações da página, como { $example1 } ou { $example2 }. Quando você muda o título, as tags ou os responsáveis acima, salvar os grava aqui.
edit-tabs = Mostrar
edit-tab-write = Escrever
edit-preview = Pré-visualização
edit-section-text = Texto da seção (Markdown)
edit-page-text = Texto da página (Markdown)
edit-toolbar = Formatação
edit-tool-heading = Título
edit-tool-bold = Negrito
edit-tool-italic = Itálico
edit-tool-link = Link
edit-tool-page-link = Link para página
edit-tool-page-link-title = Link para uma página desta wiki
edit-tool-page = Página
edit-tool-mention = Mencionar alguém
edit-tool-bullets = Lista com marcadores
edit-tool-list = Lista
edit-tool-tasks-label = Tarefas: uma lista de verificação
edit-tool-task-list = Lista de tarefas
edit-tool-tasks = Tarefas
edit-tool-table = Tabela
edit-tool-code = Código
edit-tool-quote = Citação
edit-tool-upload = Enviar uma imagem ou arquivo
edit-tool-upload-short = Enviar
edit-picker-label = Encontrar uma página
edit-picker-hint = ↑ ↓ para escolher, Enter para inserir, Esc para voltar ao texto
edit-text-placeholder = Escreva a página aqui. A barra de ferramentas e a colinha abaixo mostram como.
edit-text-hint = Markdown: **negrito**, [[Nome da página]], ## Título. A colinha abaixo tem mais.
edit-text-hint-front-matter = O front matter (título, tags, …) vai entre linhas --- no topo
edit-attach = Anexar arquivos
edit-drop-hint = Solte imagens ou arquivos sobre o texto para enviá-los
edit-cheat-sheet = Colinha de Markdown e atalhos de teclado
edit-cheat-want = Você quer
edit-cheat-type = Você digita
edit-cheat-shortcut = Atalho
edit-cheat-heading = Título de seção
edit-cheat-bold = Negrito, itálico
edit-cheat-numbered = Lista numerada
edit-cheat-page-link = Link para uma página
edit-cheat-image = Imagem
edit-cheat-image-how = Envie ou solte o arquivo sobre o texto
edit-cheat-code-block = ou um bloco:
edit-cheat-callout = Destaque
edit-cheat-also = também
edit-save = Salvar
edit-cheat-mac = No Mac, use { $cmd } no lugar de { $ctrl }. Na barra de ferramentas, as setas movem entre os botões.
edit-cheat-guide = Tudo o que o Lore exibe: o guia de Markdown
edit-your-name = Seu nome
edit-your-email = Seu e-mail
edit-message = Descreva sua alteração
cancel = Cancelar
edit-save-hint = Ctrl+S salva

## Scripts

js-section-link = Link para esta seção
js-suggestions = Sugestões
js-pages-in = Páginas em { $folder }
js-more = mais { $n }
js-copied = Copiado
js-copy = Copiar
js-shortcuts = Atalhos de teclado
js-shortcut-search = Pesquisar
js-shortcut-help = Esta ajuda
js-shortcut-edit = Editar esta página
js-shortcut-save = Salvar (no editor)
js-close = Fechar
js-time-just-now = agora mesmo
js-preview-failed = Pré-visualização não atualizada: { $error }
js-network-error = erro de rede
js-draft-earlier-visit = uma visita anterior
js-draft-from = Você tem um rascunho não salvo de { $when }.
js-draft-from-changed = Você tem um rascunho não salvo de { $when } (a página mudou desde então; salvar mescla com essas alterações).
js-uploading = Enviando { $name }…
js-uploaded = { $name } enviado.
js-upload-failed = Não foi possível enviar { $name }: { $error }
js-file-too-large = o arquivo é grande demais
js-bold-text = texto em negrito
js-italic-text = texto em itálico
js-picker-page = Link para uma página: digite parte do título
js-picker-person = Mencionar alguém: digite parte do nome
js-search-failed = Não foi possível pesquisar: { $error }
js-conflict-moved = Você mudou estas linhas no editor desde então: altere-as lá.
js-conflict-both = O editor tem as duas, a sua primeiro.
js-conflict-mine = O editor tem a sua.
js-conflict-theirs = O editor tem a deles.

## Notices after an action

notice-merged = Salvo: mesclado com as alterações de { $name }.
notice-saved = Salvo.
notice-unchanged = Nenhuma alteração para salvar.
notice-moved = Movida. O endereço antigo redireciona para cá.
notice-restored = Restaurada.

## History, changes, commits and blame

history-title = Histórico de { $title }
history-hint = Para comparar duas versões, escolha uma na coluna da esquerda (de) e outra na da direita (para).
history-compare-from = Comparar de
history-from = De
history-to = Para
history-change = Alteração
history-author = Autor
history-when = Quando
history-lines = Linhas
history-compare-from-commit = Comparar de { $commit }
history-compare-to-commit = Comparar até { $commit }
history-deleted = excluída
history-no-message = (sem mensagem)
history-as-path = como { $path }
history-pushed-by = enviado por { $who }
history-compare = Comparar as versões escolhidas
history-pager = Páginas do histórico
pager-newer = Mais recentes
pager-page = Página { $n }
pager-older = Mais antigas
changes-feed = Acompanhar no seu leitor de feeds (Atom)
changes-filter-label = Filtrar alterações
changes-author-placeholder = nome ou e-mail
changes-folder = Pasta
changes-filter = Filtrar
changes-none = Nenhuma alteração corresponde.
changes-pager = Páginas de alterações
commit-title = Commit { $commit }
commit-by = por { $author },
commit-pushed-by = enviado por { $who },
commit-parent = pai
commit-files = 
    { $n ->
        [one] 1 arquivo alterado.
       *[other] { $n } arquivos alterados.
    }
blame-title = Autoria de { $title }
diff-no-changes = Nenhuma alteração no texto.
changes-folder-placeholder = engenharia/

## Comparing, moving and deleting

diff-title = Alterações em { $title }
diff-from-to = De { $from } para { $to }
diff-views = Modos de comparação
diff-unified = Unificada
diff-split = Lado a lado
diff-full = Mostrar mais (página inteira)
move-title = Mover { $title }
move-heading = Mover ou renomear “{ $title }”
move-new-path = Novo caminho
move-hint = O endereço antigo continua funcionando: ele redireciona para o novo, e os links da wiki para o nome antigo continuam valendo.
move-submit = Mover página
delete-title = Excluir { $title }
delete-heading = Excluir “{ $title }”?
delete-lead = A página some da wiki, mas nada se perde: o histórico guarda todas as versões, e qualquer pessoa pode restaurá-la pelo endereço antigo.
delete-why = Por quê? (opcional)
delete-submit = Excluir página

## New page, tags and links

new-open-existing = Abrir essa página
new-or-another-name =  ou escolha outro nome.
new-suggestion = Os campos abaixo já foram ajustados: crie a página ou altere-os.
new-title-hint = Do que trata a página, como os leitores verão, por exemplo “Como fazemos deploy”.
new-top-level = (nível superior)
new-folder-hint = Uma pasta existente ou uma nova: palavras minúsculas unidas por hífens, como { $example }.
new-name = Nome no endereço
new-name-placeholder = gerado a partir do título
new-name-hint = Deixe vazio para gerá-lo a partir do título: palavras minúsculas unidas por hífens.
new-address = A página ficará em
new-start-from = Começar de
new-blank = Página em branco
new-create = Criar
tags-count = 
    { $n ->
        [one] 1 tag
       *[other] { $n } tags
    }
tags-none = Nenhuma página tem tags ainda. Adicione { $example } ao front matter de uma página.
tag-title = Com a tag “{ $tag }”
tag-feed-title = Alterações em páginas com a tag { $tag }
tag-sort-by = Ordenar por
tag-sort-title = título
tag-sort-changed = última alteração
tag-feed = Alterações como feed (Atom)
tag-all = Todas as tags
links-broken = Links quebrados
links-orphans = Páginas órfãs
links-broken-lead = Links para páginas que ainda não existem e para arquivos ausentes, os mais procurados primeiro (o que { $command } informa).
links-orphans-lead = Páginas para as quais nenhuma outra aponta: crie links para elas onde as pessoas procuram.
links-missing = Ausente
links-linked-from = Com link em
links-none-broken = Todos os links apontam para páginas que existem.
links-none-orphans = Todas as páginas têm algum link apontando para elas.

## People

people-lead = Todas as pessoas que escreveram aqui, pelas linhas que ainda estão nas páginas de hoje.
people-indexing = A autoria ainda está sendo indexada; os números podem estar incompletos.
people-needs-attention = Precisa de atenção
people-person = Pessoa
people-lines-standing = Linhas ainda presentes
people-commits = Commits
people-accepted = Respostas aceitas
people-last-active = Última atividade
people-lines = Linhas
person-since = desde { $date }
person-hand-over = Passar as páginas adiante
person-last-active = última atividade { $when }
person-answers = Respostas
person-answers-accepted = { $n } ({ $accepted } aceitas)
person-strongest = Mais forte em
person-tag-lines = 
    { $n ->
        [one] 1 linha
       *[other] { $n } linhas
    }
person-pages = O que escreveu e ainda está lá
person-their-lines = Linhas da pessoa
person-share = Parcela
person-main-author = autor principal
person-none = Nenhuma linha dessa pessoa está nas páginas de hoje.
follow-link-title = Receba na sua caixa de entrada o que acontece com { $label }
follow-link = Seguir

## Following and the inbox

follow-this = 
    { $kind ->
        [page] esta página
        [folder] esta pasta
        [tag] esta tag
        [question] esta pergunta
       *[person] esta pessoa
    }
follow-title = Seguir { $label }
follow-following = Você segue { $this }: o que acontece com ela chega à sua { $inbox }.
follow-inbox = caixa de entrada
follow-muted = Você silenciou { $this }: nada sobre isso chega até você.
follow-offer = Siga { $this } para receber na sua { $inbox } o que acontece com ela, ou silencie para não saber de nada.
follow-mute = Silenciar
follow-unmute = Reativar
follow-unfollow = Deixar de seguir
follow-everything = Tudo o que você segue
follows-title = O que você segue
follows-lead = Alterações nestes itens chegam à sua { $inbox }. O Lore segue por você o que você cria, edita, pergunta ou responde; o que foi silenciado nunca chega.
follows-what = O quê
follows-kind = Tipo
follows-since = Desde
actions = Ações
follows-muted = silenciado
follows-automatic = automático
follow-kind = 
    { $kind ->
        [page] página
        [folder] pasta
        [tag] tag
        [question] pergunta
       *[person] pessoa
    }
follows-none = Você ainda não segue nada. Use o botão Seguir em uma página, pasta, tag, pergunta ou pessoa.
inbox-unread = { $n } não lidas.
inbox-nothing-unread = Nada não lido.
inbox-show-all = Mostrar tudo
inbox-show-unread = Mostrar só não lidas
inbox-mark-all = Marcar tudo como lido
inbox-mark-read = Marcar como lida
inbox-empty = Nada aqui ainda. Siga páginas, pastas, tags, perguntas ou pessoas, e o que acontece com elas aparece aqui.

## Search results

search-title = Pesquisa: { $query }
search-results-for = Resultados para “{ $query }”
search-count = 
    { $n ->
        [one] 1 resultado em { $ms } ms
       *[other] { $n } resultados em { $ms } ms
    }
search-indexing = o índice ainda está sendo criado, os resultados podem estar incompletos
search-showing-for = Nenhum resultado para “{ $query }”. Mostrando resultados para { $corrected }.
search-did-you-mean = Você quis dizer { $suggestion }?
page-kind = 
    { $kind ->
        [page] página
        [question] pergunta
       *[other] { $kind }
    }
search-accepted-answer = Resposta aceita:
search-nothing = Nada na wiki corresponde a “{ $query }” ainda.
search-try = Tente menos palavras ou palavras diferentes, ou pergunte a quem sabe.
search-didnt-find = Não encontrou?
search-ask = Fazer isto como pergunta
search-pager = Páginas de resultados
pager-previous = Anterior
pager-next = Próxima
search-filters = Filtros
search-filter-results = Filtrar resultados
search-experts = Quem entende disso?
search-expert-lines = linhas ainda presentes nas páginas encontradas
search-expert-answers = 
    { $n ->
        [one] 1 resposta aceita
       *[other] { $n } respostas aceitas
    }
search-facet-kind = Tipo
search-facet-language = Idioma
search-facet-folders = Pastas

## Account pieces, verifying, promoting, unsubscribing

tokens-user = Usuário
tokens-name = Nome
tokens-created = Criado
tokens-last-used = Último uso
tokens-revoke = Revogar
role = 
    { $role ->
        [reader] leitor
        [editor] editor
        [admin] administrador
       *[other] { $role }
    }
verify-title = Verificar { $title }
verify-heading = “{ $title }” ainda está correta?
verify-lead = Marcar como verificada registra a data de hoje e seu nome no front matter, em um commit, e reinicia o período de revisão.
verify-edit = Não, editar
promote-title = Transformar esta resposta em página
promote-lead = A página aponta de volta para a pergunta, e a pergunta para a página. Ajuste o texto para que ele pareça documentação.
promote-path = Caminho da página
promote-submit = Criar a página
unsubscribe = Cancelar inscrição
unsubscribe-done = 
    { $list ->
        [for_me] Pronto: { $user } não recebe mais e-mails sobre menções e perguntas para si.
        [following] Pronto: { $user } não recebe mais e-mails sobre o que segue.
       *[other] Pronto: { $user } não recebe mais nenhum e-mail.
    }
unsubscribe-inbox = A caixa de entrada na wiki continua mostrando tudo. Se mudar de ideia, entre e abra { $settings }.
unsubscribe-settings = suas configurações de notificação
unsubscribe-ask = 
    { $list ->
        [for_me] Parar os e-mails para { $user } sobre menções e perguntas para si?
        [following] Parar os e-mails para { $user } sobre o que segue?
       *[other] Parar todos os e-mails desta wiki para { $user }?
    }

## Questions

questions-feed-title = Novas perguntas
questions-tagged = Perguntas com a tag “{ $tag }”
questions-ask = Fazer uma pergunta
questions-feed = Acompanhar novas perguntas (Atom)
questions-filter = Filtrar perguntas
questions-answered = Respondida
questions-open = Aberta
questions-answers = 
    { $n ->
        [one] 1 resposta
       *[other] { $n } respostas
    }
questions-asked-by = perguntada por { $who }
questions-active = ativa { $when }
questions-none = Ainda não há perguntas aqui.
ask-lead = Quem sabe vai responder aqui, e a resposta continua fácil de encontrar para quem perguntar depois.
ask-question = Sua pergunta
ask-placeholder = Como consigo acesso à VPN de casa?
ask-similar = Já respondida? Estas parecem semelhantes:
ask-details = Detalhes
ask-details-note = Markdown: o que você tentou, do que precisa
ask-tags-note = separadas por vírgulas
ask-tags-placeholder = ti, vpn
ask-submit = Perguntar
questions-filter-label = 
    { $filter ->
        [unanswered] Sem resposta
        [answered] Respondidas
        [mine] Feitas por mim
       *[all] Todas
    }
question-feed-title = Respostas a esta pergunta
question-asked-by = Perguntada por { $who }
question-feed = Respostas como feed (Atom)
question-promoted = Esta resposta agora é uma página da wiki:
question-read-page = leia a página.
question-accepted = ✓ Resposta aceita
question-accept = Aceitar esta resposta
question-promote = Transformar em página da wiki
question-experts = Quem pode saber:
question-your-answer = Sua resposta
question-your-answer-markdown = Sua resposta (Markdown)
question-answer-placeholder = Escreva a resposta que você gostaria de ter encontrado (Markdown funciona).
question-post = Publicar resposta

## Review

review-hand-over = Passar páginas adiante
review-feed-title = Páginas que precisam de revisão
review-hand-over-person = Passar adiante as páginas de { $person }
review-hand-over-lead = Tudo de que { $person } era responsável ou que escreveu em maior parte. Escolha as páginas, indique o novo responsável e passe-as adiante em um commit.
review-lead = Páginas com revisão vencida, com responsáveis ou autores principais que saíram, perguntas sem resposta e links quebrados.
review-feed = Acompanhar (Atom)
review-upkeep = Como esta wiki é mantida
review-unowned-link = 
    { $n ->
        [one] Ver a 1 página sem responsável
       *[other] Ver as { $n } páginas sem responsável
    }
review-unowned-then = , escolha algumas e defina um responsável abaixo (um commit).
review-untouched-link = 
    { $n ->
        [one] Ver a 1 página não editada há um ano
       *[other] Ver as { $n } páginas não editadas há um ano
    }
review-untouched-then = , as mais antigas primeiro: leia cada uma e depois edite ou marque como verificada.
review-front-matter-tip = Ou escreva { $owners } e { $review } no front matter de uma página: ela volta aqui quando a revisão vencer.
review-filter = Filtrar por motivo
review-all = Todas
review-reason = 
    { $reason ->
        [review] Revisão vencida
        [owner] Responsável saiu
        [author] Autor principal saiu
        [unanswered] Sem resposta
        [unowned] Sem responsável
        [untouched] Não editada há um ano
       *[other] Links quebrados
    }
review-departed = Pessoas que saíram:
review-shown = Mostrando { $shown } de { $total } páginas.
review-choose = Escolher
review-why = Por quê
review-last-edit = Última edição
review-choose-page = Escolher { $title }
review-mark-verified = Marcar como verificada
review-give-to = Passar as páginas escolhidas para
review-owner-placeholder = Nome <e-mail> ou uma equipe
review-assign = Definir responsável
review-pager = Páginas da lista
review-well-kept = Nada precisa de atenção. Bem cuidada!
review-nothing-due = Nada está com a revisão vencida, nenhum responsável saiu e nenhum link está quebrado: veja acima o que falta.

## Notifications

notifications = Notificações
notifications-no-mail = Esta wiki ainda não envia e-mails (quem a administra configura isso em { $file }). Suas escolhas ficam guardadas para quando enviar.
notifications-for-me = E-mail sobre menções e perguntas para mim
notifications-frequency = 
    { $frequency ->
        [instant] na hora
        [daily] resumo diário
        [weekly] resumo semanal
       *[other] desligado
    }
notifications-following = E-mail sobre o que eu sigo
notifications-auto-follow = Seguir o que eu crio, edito, pergunto ou respondo
notifications-hint = Os resumos saem uma vez por dia (os semanais às segundas). Todo e-mail tem um link para cancelar sem fazer login.
notifications-need-login = Notificações exigem login.
notifications-open-mode = Esta wiki está em modo aberto, sem contas: não há para quem enviar e-mails. Webhooks para o chat continuam funcionando.

## Administration

admin-title = Administração
admin-summary = 
    modo { $mode } · leitura anônima { $anonymous ->
        [on] ligada
       *[off] desligada
    } · novas contas: { $role } · { $sessions } sessões ativas
admin-health = Repositório e índices
admin-repository = Repositório
admin-head = Head
admin-empty = vazio
admin-pages-files = { $pages } páginas, { $files } arquivos
admin-history-index = Índice de histórico
admin-ready = pronto
admin-building = criando…
admin-search-index = Índice de pesquisa
admin-current = atualizado
admin-catching-up = atualizando (em { $commit })
admin-accounts = Contas
admin-columns-local = Nome, e-mail, papel, grupos, situação
admin-columns = Papel, grupos, situação
admin-disabled = desativada
admin-role = Papel
admin-groups = Grupos
admin-groups-placeholder = grupos, separados por vírgula
admin-no-accounts = Nenhuma conta ainda.
admin-add-account-title = Adicionar uma conta
admin-new-groups-placeholder = rh, jurídico
admin-first-password = Senha inicial (pelo menos 8 caracteres)
admin-add-account = Adicionar conta
admin-no-tokens = Nenhum token.
admin-delivery = E-mail e webhooks
admin-mail = { $server } como { $from } · resumos às { $hour }:00 UTC
admin-mail-off = desligado (sem { $key } em { $file })
admin-webhooks = Webhooks
admin-webhook-to = { $format } para { $host }
admin-webhook-paths = caminhos { $paths }
admin-webhook-tags = tags { $tags }
admin-none = nenhum
admin-deliveries = Últimas entregas de webhook
admin-webhook = Webhook
admin-event = Evento
admin-status = Situação
admin-attempts = Tentativas
admin-last-error = Último erro
admin-next-try = (próxima tentativa { $at })
admin-no-deliveries = Nenhuma entrega de webhook ainda.
admin-rules = Regras de pastas
admin-rule-read = leitura: { $who }
admin-rule-edit = edição: { $who }
admin-no-rules = Nenhuma: só os papéis decidem.
admin-proxies = Proxies confiáveis:
admin-change-rules = Altere isso em { $file } (veja { $doc }) e reinicie.

## Messages handlers show in forms

login-too-many = 
    { $minutes ->
        [one] Falhas de login demais. Tente de novo em 1 minuto.
       *[other] Falhas de login demais. Tente de novo em { $minutes } minutos.
    }
login-wrong = Nome de usuário ou senha incorretos.
password-mismatch = As novas senhas não coincidem.
password-too-many = 
    { $minutes ->
        [one] Senhas erradas demais. Tente de novo em 1 minuto.
       *[other] Senhas erradas demais. Tente de novo em { $minutes } minutos.
    }
password-wrong = Sua senha atual não está correta.

## What happened, in the inbox, e-mails, digests and chat posts

event-someone = Alguém
event-page-created = { $actor } criou “{ $title }”
event-page-changed = { $actor } alterou “{ $title }”
event-page-deleted = { $actor } excluiu “{ $title }”
event-page-moved = { $actor } moveu “{ $title }”
event-question-asked = { $actor } perguntou “{ $title }”
event-question-for-you = Talvez você saiba a resposta: { $actor } perguntou “{ $title }”
event-answer-posted = { $actor } respondeu “{ $title }”
event-answer-accepted = { $actor } aceitou uma resposta para “{ $title }”
event-mentioned = { $actor } mencionou você em “{ $title }”
event-review-due = “{ $title }” precisa de revisão
event-owner-departed = “{ $title }” precisa de um novo responsável
event-other = { $actor }: { $kind } “{ $title }”
event-summary-moved = Movida de { $from }
event-summary-removed = Removido: { $lines }
event-summary-front-matter = O front matter mudou
event-summary-deleted = Excluída
event-summary-unanswered = Ainda sem resposta: { $title }
event-summary-review-since = Revisão pendente desde { $since }
event-summary-owner-left = { $name } saiu: esta página precisa de um novo responsável
inbox-n-changes = 
    { $n ->
        [one] (1 alteração)
       *[other] ({ $n } alterações)
    }
why-mentioned = você foi mencionado
why-owner = você é responsável pela página
why-own-answer = é a sua resposta
why-expert = a wiki acha que você talvez saiba a resposta
why-follow = 
    { $kind ->
        [page] você segue a página { $target }
        [folder] você segue a pasta { $target }
        [tag] você segue a tag { $target }
        [person] você segue a pessoa { $target }
        [question] você segue a pergunta { $target }
       *[other] você segue { $target }
    }
why-for-me = isso diz respeito a você
why-following = isso diz respeito a algo que você segue
why-digest = 
    { $period ->
        [weekly] você escolheu um resumo semanal
       *[other] você escolheu um resumo diário
    }
mail-open-it = Abrir: { $url }
mail-open-in = Abrir em { $site }
mail-why = Você recebeu esta mensagem porque { $why }.
mail-settings = Alterar como { $site } envia e-mails para você
mail-unsubscribe = Cancelar inscrição
digest-subject = 
    { $period ->
        [weekly]
            { $n ->
                [one] Seu resumo semanal: 1 novidade
               *[other] Seu resumo semanal: { $n } novidades
            }
       *[other]
            { $n ->
                [one] Seu resumo diário: 1 novidade
               *[other] Seu resumo diário: { $n } novidades
            }
    }
digest-intro = 
    { $period ->
        [weekly]
            { $n ->
                [one] Seu resumo semanal de { $site }: 1 novidade.
               *[other] Seu resumo semanal de { $site }: { $n } novidades.
            }
       *[other]
            { $n ->
                [one] Seu resumo diário de { $site }: 1 novidade.
               *[other] Seu resumo diário de { $site }: { $n } novidades.
            }
    }
digest-times = 
    { $n ->
        [one] (uma vez)
       *[other] ({ $n } vezes)
    }
digest-more = 
    { $n ->
        [one] …e mais 1 na sua caixa de entrada
       *[other] …e mais { $n } na sua caixa de entrada
    }
digest-inbox = Sua caixa de entrada

## Why a page is on the review radar, and how the wiki is kept

review-reason-past-date = precisa de revisão desde { $since }
review-reason-owner-departed = o responsável { $owner } saiu
review-reason-owner-inactive = o responsável { $owner } está inativo
review-reason-author-departed = a maior parte foi escrita por { $name }, que saiu
review-reason-unanswered = 
    { $days ->
        [one] sem resposta há 1 dia
       *[other] sem resposta há { $days } dias
    }
review-reason-broken-links = 
    { $n ->
        [one] 1 link quebrado
       *[other] { $n } links quebrados
    }
review-reason-owned-by = responsável: { $owner }
review-reason-mostly-written-by = escrita principalmente por { $name }
review-reason-no-owner = sem responsável
review-reason-untouched = não editada nem verificada desde { $since }
upkeep-without-owner = 
    { $n ->
        [one] 1 página não tem responsável
       *[other] { $n } páginas não têm responsável
    }
upkeep-none-owned = 
    { $n ->
        [one] a única página não tem responsável
       *[other] nenhuma das { $n } páginas tem responsável
    }
upkeep-all-untouched = todas foram editadas pela última vez há mais de um ano
upkeep-untouched = 
    { $n ->
        [one] 1 foi editada pela última vez há mais de um ano
       *[other] { $n } foram editadas pela última vez há mais de um ano
    }
upkeep-no-review-dates = nenhuma página tem data de revisão
upkeep-without-review-date = 
    { $n ->
        [one] 1 não tem data de revisão
       *[other] { $n } não têm data de revisão
    }
upkeep-separator = { "; " }
upkeep-summary = { $parts }.

## Why a diff shows no lines

diff-note-long = Esta comparação é longa: só as primeiras { $n } linhas são mostradas.
diff-note-binary = Arquivo binário: sem comparação por linhas.
diff-note-too-large = Este arquivo é grande demais para comparar aqui.

## Atom feeds and the app manifest

feed-changes = { $site }: alterações recentes
feed-changes-in = { $site }: alterações recentes em { $folder }
feed-changes-tagged = { $site }: alterações recentes com a tag { $tag }
feed-changes-in-tagged = { $site }: alterações recentes em { $folder } com a tag { $tag }
feed-no-message = (sem mensagem)
feed-changed-paths = Alterado: { $paths }
feed-questions = { $site }: perguntas
feed-questions-tagged = { $site }: perguntas com a tag { $tag }
feed-question-summary = 
    { $n ->
        [one] 1 resposta
       *[other] { $n } respostas
    }; { $status ->
        [answered] respondida
       *[other] aberta
    }
feed-someone = alguém
feed-answers = Respostas: { $title }
feed-answer-by = Resposta de { $name }
feed-review = Páginas que precisam de revisão
feed-review-owner = Páginas de { $owner } que precisam de revisão
manifest-description = { $site }: a wiki, legível offline nas páginas que você leu por último

## Reading offline (the service worker)

js-offline-copy = Cópia offline de { $date }.
js-offline-earlier-visit = uma visita anterior
js-offline-may-have-changed = Você está offline; esta página pode ter mudado desde então.
js-offline-title = Offline
js-offline-heading = Você está offline
js-offline-no-copy = Não há cópia offline de { $path } neste dispositivo. As páginas que você lê online ficam guardadas aqui, as últimas { $n } delas.
js-offline-readable = Páginas que você pode ler offline

## What handlers tell people in forms and notices

new-page-exists = Já existe uma página em { $url }.
new-page-against-hint = Endereços são palavras minúsculas unidas por hífens, então “{ $typed }” seria { $better }.
new-page-title-no-letters = O título precisa de uma letra ou um dígito para gerar um endereço.
replica-not-caught-up = Salvo. Este servidor ainda não recebeu sua alteração; ela aparece aqui em alguns segundos
history-message-hidden = (Este commit também alterou páginas que você não pode ler; a mensagem dele não é mostrada.)
error-no-theme-file = Este tema não tem esse arquivo.
error-get-only = Este endereço só responde a GET.
error-nothing-here = Não há nada neste endereço.
error-no-service-worker = Este tema não tem service worker.
