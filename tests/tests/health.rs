//! Liveness and readiness.

use kompetens_tests::spawn_app;

#[tokio::test]
async fn ready_answers_503_while_the_database_is_unreachable() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health/ready", None).await.status, 200);
    if !app.drop_database().await {
        // SQLite: the database is a file the server holds open; nothing to take away.
        return;
    }
    let ready = app.get("/health/ready", None).await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    assert_eq!(
        ready.header("content-type"),
        Some("application/problem+json")
    );
    assert!(ready.header("retry-after").is_some());
    assert_eq!(app.get("/health/live", None).await.status, 200);
}
