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
