//! `kompetens demo`: the five programmes as demonstration data, loaded into the configured
//! database, and loading again changes nothing.

use kompetens_tests::spawn_app;

#[tokio::test]
async fn the_demo_loads_the_five_programmes_once() {
    let app = spawn_app().await;
    kompetens_api::demo::load(app.settings())
        .await
        .expect("demo loads");
    let published = app.all_pages("/api/v1/programmes", None, 200).await;
    assert_eq!(published.len(), 10, "the five scenarios' ten programmes");
    for (_, _, organisation, _) in kompetens_scenarios::SCENARIOS {
        let orgs = app
            .all_pages("/api/v1/organisations", Some(&app.admin_token), 200)
            .await;
        assert!(
            orgs.iter().any(|o| o["name"] == *organisation),
            "{organisation}"
        );
    }
    // The printed accounts sign in with the printed password.
    for (_, _, _, logins) in kompetens_scenarios::SCENARIOS {
        for email in logins {
            let r = app
                .post(
                    "/api/v1/auth/token",
                    None,
                    serde_json::json!({"email": email, "password": kompetens_api::demo::PASSWORD}),
                )
                .await;
            assert_eq!(r.status, 200, "{email}: {}", r.text);
        }
    }
    kompetens_api::demo::load(app.settings())
        .await
        .expect("demo loads again");
    let again = app.all_pages("/api/v1/programmes", None, 200).await;
    assert_eq!(again.len(), 10, "loading twice adds nothing");
}
