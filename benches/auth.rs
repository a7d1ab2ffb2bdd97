//! What authentication costs a request (issue #8: at most 50 µs for sessions and tokens). Measures the work
//! `web::auth::authenticate` does per request, below HTTP: a session cookie (signature check, then the session
//! and the account read from the state database) or a personal token (hash, then the token and the account
//! read from it), then the role, groups and a folder-rule check. Password hashing happens only at login and is
//! measured separately for reference.
//!
//! Run: `cargo bench --bench auth`. Figures: docs/BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use lore::auth::{Auth, AuthConfig, AuthMode, FolderRule, NewUser, Role};

fn setup() -> (tempfile::TempDir, Auth, String, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = AuthConfig {
        mode: AuthMode::Local,
        rules: vec![FolderRule { path: "hr/**".into(), read: Some(vec!["hr".into()]), edit: None }],
        ..AuthConfig::default()
    };
    let auth = Auth::open(&config, dir.path()).expect("the stores open");
    // A realistic store: a few hundred accounts, each with a token.
    for n in 0..300 {
        auth.accounts
            .add_user(NewUser {
                username: format!("user{n}"),
                name: format!("User {n}"),
                email: format!("user{n}@example.com"),
                role: Role::Editor,
                groups: vec!["engineering".into()],
                password: None,
            })
            .expect("accounts are added");
    }
    let (_, token) = auth.accounts.create_token("user150", "laptop").expect("a token");
    let user = auth.accounts.user("user150").expect("the store reads").expect("the account");
    let cookie = auth.sessions.create("user150", user.session_epoch, 24).expect("a session");
    (dir, auth, cookie, token)
}

fn per_request(c: &mut Criterion) {
    let (_dir, auth, cookie, token) = setup();
    c.bench_function("session cookie to access check", |b| {
        b.iter(|| {
            let session = auth.sessions.get(&cookie).expect("the store reads").expect("the session is live");
            let user = auth.accounts.user(&session.username).expect("the store reads").expect("the account exists");
            assert!(!user.disabled && user.session_epoch == session.epoch);
            let access = auth.access_of(&user, &[]);
            std::hint::black_box(access.can_read("hr/pay.md"))
        })
    });
    c.bench_function("token to access check", |b| {
        b.iter(|| {
            let user = auth.accounts.user_for_token(&token).expect("the store reads").expect("the token works");
            let access = auth.access_of(&user, &[]);
            std::hint::black_box(access.can_read("hr/pay.md"))
        })
    });
    c.bench_function("anonymous access check", |b| {
        b.iter(|| std::hint::black_box(auth.anonymous().can_read("guide/markdown.md")))
    });
}

fn login(c: &mut Criterion) {
    let mut group = c.benchmark_group("login");
    group.sample_size(10);
    group.bench_function("argon2id password hash", |b| {
        b.iter(|| lore::auth::accounts::hash_password("correct horse battery").expect("hashing works"))
    });
    group.finish();
}

criterion_group!(benches, per_request, login);
criterion_main!(benches);
