/*
 * Reliability tests for the C API (issue #10), in addition to test_cleanclaim.c:
 *  - a panic inside the core engine, in check and on a rayon worker inside check_many, comes
 *    back as CLEANCLAIM_ERR_PANIC and the process keeps running (never an abort). The core
 *    panics on purpose only for an engine created while CLEANCLAIM_TEST_PANIC=1 and only for
 *    the claim id "__cleanclaim_test_panic__" (crates/cleanclaim/src/engine.rs);
 *  - a canary in every patient field (names, member id, group number, birth date 1901-02-03,
 *    address lines, city, state, postal code) never appears in reports or error texts, also
 *    for malformed variants of the claim.
 * Ends with "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <cleanclaim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CANARY "Qz8Canary"
#define BOMB "__cleanclaim_test_panic__"

/* The office-visit example with `id` and the given subscriber object. */
static char *claim_json(const char *id, const char *subscriber) {
    const char *fmt =
        "{\"id\":\"%s\",\"kind\":\"professional\",\"frequency\":\"1\","
        "\"billing_provider\":{\"npi\":\"1234567890\",\"name\":\"Clinic\"},"
        "\"subscriber\":%s,\"payer\":{\"id\":\"00431\"},\"place_of_service\":\"11\","
        "\"diagnoses\":[{\"code\":\"O80\"},{\"code\":\"I10\"}],"
        "\"lines\":[{\"procedure\":\"99214\",\"units\":1,\"charge\":185.0,\"pointers\":[1,2],"
        "\"date\":\"2026-03-02\"},{\"procedure\":\"83036\",\"units\":0,\"charge\":45.0,"
        "\"pointers\":[9],\"date\":\"2026-03-02\"}],\"total_charge\":1}";
    size_t n = strlen(fmt) + strlen(id) + strlen(subscriber) + 1;
    char *out = malloc(n);
    snprintf(out, n, fmt, id, subscriber);
    return out;
}

static const char *PLAIN_SUBSCRIBER =
    "{\"member_id\":\"M1\",\"birth_date\":\"1961-04-12\",\"sex\":\"F\",\"relationship\":\"18\"}";

static cleanclaim_engine *engine_as_of(const char *date) {
    cleanclaim_options *opts = NULL;
    cleanclaim_engine *engine = NULL;
    CHECK_RC(cleanclaim_options_new(&opts), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_options_set_as_of(opts, date, strlen(date)), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_OK);
    cleanclaim_options_free(opts);
    return engine;
}

static cleanclaim_engine *armed_engine(void) {
    setenv("CLEANCLAIM_TEST_PANIC", "1", 1);
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    /* Read once when the engine is built: later engines are ordinary. */
    unsetenv("CLEANCLAIM_TEST_PANIC");
    return engine;
}

static void test_core_panic_in_check_is_an_error_code(void) {
    cleanclaim_engine *engine = armed_engine();
    char *bomb = claim_json(BOMB, PLAIN_SUBSCRIBER);
    char *fine = claim_json("C1", PLAIN_SUBSCRIBER);
    for (int i = 0; i < 3; i++) {
        cleanclaim_report *report = NULL;
        CHECK_RC(cleanclaim_engine_check_json(engine, bomb, strlen(bomb), &report), CLEANCLAIM_ERR_PANIC);
        CHECK(report == NULL);
        char msg[512];
        CHECK_RC(cleanclaim_last_error_message(msg, sizeof msg, NULL), CLEANCLAIM_OK);
        CHECK(strlen(msg) > 0);
    }
    /* The same engine keeps working for other claims. */
    cleanclaim_report *report = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, fine, strlen(fine), &report), CLEANCLAIM_OK);
    CHECK(report != NULL);
    cleanclaim_report_free(report);
    /* An engine built without the variable checks the same claim normally. */
    cleanclaim_engine *plain = engine_as_of("2026-11-30");
    CHECK_RC(cleanclaim_engine_check_json(plain, bomb, strlen(bomb), &report), CLEANCLAIM_OK);
    cleanclaim_report_free(report);
    cleanclaim_engine_free(plain);
    cleanclaim_engine_free(engine);
    free(bomb);
    free(fine);
}

/* 2,000 claims so rayon splits the work across its workers; the bomb sits in the middle. */
static char *batch(int bomb_at) {
    const int n = 2000;
    char *one = claim_json("C", PLAIN_SUBSCRIBER);
    size_t cap = (size_t)n * (strlen(one) + 64) + 16, len = 0;
    char *out = malloc(cap);
    out[len++] = '[';
    for (int i = 0; i < n; i++) {
        char id[32];
        if (i == bomb_at) snprintf(id, sizeof id, "%s", BOMB);
        else snprintf(id, sizeof id, "C%d", i);
        char *c = claim_json(id, PLAIN_SUBSCRIBER);
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", c);
        free(c);
    }
    out[len++] = ']';
    out[len] = '\0';
    free(one);
    return out;
}

static void test_core_panic_on_a_rayon_worker_is_an_error_code(void) {
    cleanclaim_engine *engine = armed_engine();
    char *with = batch(1234), *without = batch(-1);
    for (int i = 0; i < 3; i++) {
        cleanclaim_report_list *list = NULL;
        CHECK_RC(cleanclaim_engine_check_many_json(engine, with, strlen(with), &list), CLEANCLAIM_ERR_PANIC);
        CHECK(list == NULL);
    }
    cleanclaim_report_list *list = NULL;
    CHECK_RC(cleanclaim_engine_check_many_json(engine, without, strlen(without), &list), CLEANCLAIM_OK);
    CHECK(cleanclaim_report_list_len(list) == 2000);
    cleanclaim_report_list_free(list);
    cleanclaim_engine_free(engine);
    free(with);
    free(without);
}

static const char *LEAKS[] = {CANARY, "1901-02-03", "19010203", "02/03/1901", "1901"};

static int leaks(const char *text) {
    for (size_t i = 0; i < sizeof LEAKS / sizeof LEAKS[0]; i++)
        if (strstr(text, LEAKS[i])) return 1;
    return 0;
}

/* A subscriber with the canary in every field; `birth` and `member` are raw JSON values. */
static char *planted_subscriber(const char *birth, const char *member) {
    const char *fmt =
        "{\"name\":{\"last\":\"" CANARY "L\",\"first\":\"" CANARY "F\",\"middle\":\"" CANARY "M\"},"
        "\"member_id\":%s,\"group_number\":\"" CANARY "G\",\"birth_date\":%s,\"sex\":\"F\","
        "\"address\":{\"lines\":[\"" CANARY "A1\",\"" CANARY "A2\"],\"city\":\"" CANARY "C\","
        "\"state\":\"" CANARY "S\",\"postal_code\":\"" CANARY "Z\"},\"relationship\":\"18\"}";
    size_t n = strlen(fmt) + strlen(birth) + strlen(member) + 1;
    char *out = malloc(n);
    snprintf(out, n, fmt, member, birth);
    return out;
}

static void test_patient_data_never_leaves(void) {
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    char *sub = planted_subscriber("\"1901-02-03\"", "\"" CANARY "Id\"");
    char *c = claim_json("CANARY-1", sub);
    cleanclaim_report *report = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, c, strlen(c), &report), CLEANCLAIM_OK);
    char *json = NULL;
    size_t len = 0;
    CHECK_RC(cleanclaim_report_to_json(report, &json, &len), CLEANCLAIM_OK);
    CHECK(json && strstr(json, "dx.age_conflict")); /* the birth date was used ... */
    CHECK(json && !leaks(json));                     /* ... and never shown */
    for (size_t i = 0; i < cleanclaim_report_findings_len(report); i++) {
        cleanclaim_finding f;
        CHECK_RC(cleanclaim_report_finding(report, i, &f), CLEANCLAIM_OK);
        char msg[4096];
        snprintf(msg, sizeof msg, "%.*s %.*s", (int)f.message.len, f.message.ptr, (int)f.path.len, f.path.ptr);
        CHECK(!leaks(msg));
    }
    cleanclaim_string_free(json);
    cleanclaim_report_free(report);
    free(c);
    free(sub);

    /* Malformed variants: wrongly typed patient values, each carrying the canary or the date. */
    const char *variants[][2] = {
        {"\"" CANARY "\"", "\"" CANARY "Id\""},  {"19010203", "\"" CANARY "Id\""},
        {"\"02/03/1901\"", "\"" CANARY "Id\""},  {"\"1901-02-30\"", "\"" CANARY "Id\""},
        {"{\"y\":1901}", "\"" CANARY "Id\""},    {"\"1901-02-03\"", "19010203"},
        {"\"1901-02-03\"", "[\"" CANARY "\"]"},  {"\"1901-02-03\"", "{\"" CANARY "\":1}"},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        sub = planted_subscriber(variants[i][0], variants[i][1]);
        c = claim_json("CANARY-2", sub);
        report = NULL;
        cleanclaim_result rc = cleanclaim_engine_check_json(engine, c, strlen(c), &report);
        CHECK(rc == CLEANCLAIM_ERR_JSON || rc == CLEANCLAIM_ERR_INVALID);
        CHECK(report == NULL);
        char msg[1024];
        CHECK_RC(cleanclaim_last_error_message(msg, sizeof msg, NULL), CLEANCLAIM_OK);
        if (leaks(msg) && strstr(variants[i][1], "{\"" CANARY) == NULL) {
            fprintf(stderr, "  variant %zu leaks: %s\n", i, msg);
            current_failed = 1;
        }
        /* Truncated inside a name: a syntax error. */
        size_t cut = (size_t)(strstr(c, CANARY "L") - c) + 4;
        CHECK(cleanclaim_engine_check_json(engine, c, cut, &report) == CLEANCLAIM_ERR_JSON);
        CHECK_RC(cleanclaim_last_error_message(msg, sizeof msg, NULL), CLEANCLAIM_OK);
        CHECK(!leaks(msg));
        free(c);
        free(sub);
    }
    cleanclaim_engine_free(engine);
}

int main(void) {
    run_test("core panic in check is CLEANCLAIM_ERR_PANIC", test_core_panic_in_check_is_an_error_code);
    run_test("core panic on a rayon worker is CLEANCLAIM_ERR_PANIC", test_core_panic_on_a_rayon_worker_is_an_error_code);
    run_test("patient data never leaves", test_patient_data_never_leaves);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
