/*
 * Tests for the cleanclaim C API, linked against libcleanclaim.so and libcleanclaim.a.
 *
 * usage: test_cleanclaim VECTOR_DIR
 *
 * VECTOR_DIR holds the shared vectors (tests/vectors, one JSON file each) split by test.sh into plain
 * files, so this program needs no JSON parser: for each vector NAME
 *   NAME.claim.json   the claim
 *   NAME.as_of        "today" for the engine
 *   NAME.expect       the expected rule ids, one a line (sorted, distinct)
 *   NAME.profile      only when the vector names a profile
 * Ends with "N passed, M failed" (", K skipped" when vectors were skipped).
 */
#define _POSIX_C_SOURCE 200809L

#include <cleanclaim.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static int skipped;

/* ---- files ------------------------------------------------------------------------------ */

static const char *vector_dir;

/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL if it does not exist. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static char *read_vector_part(const char *name, const char *suffix, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", vector_dir, name, suffix);
    return read_file(path, len);
}

/* The vector names (NAME of NAME.claim.json), sorted. */
static char **vector_names(size_t *count) {
    struct dirent **entries;
    int n = scandir(vector_dir, &entries, NULL, alphasort);
    char **names = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *names);
    size_t k = 0;
    const char *suffix = ".claim.json";
    for (int i = 0; i < n; i++) {
        size_t l = strlen(entries[i]->d_name), sl = strlen(suffix);
        if (l > sl && strcmp(entries[i]->d_name + l - sl, suffix) == 0) {
            names[k] = malloc(l - sl + 1);
            memcpy(names[k], entries[i]->d_name, l - sl);
            names[k][l - sl] = '\0';
            k++;
        }
        free(entries[i]);
    }
    free(entries);
    *count = k;
    return names;
}

static void free_names(char **names) {
    for (size_t i = 0; names[i]; i++) free(names[i]);
    free(names);
}

static void trim(char *s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = '\0';
}

/* The first vector whose whole .expect file equals `expect` ("" for a clean claim). */
static char *find_vector_claim(const char *expect, size_t *len) {
    size_t count;
    char **names = vector_names(&count);
    char *claim = NULL;
    for (size_t i = 0; i < count && !claim; i++) {
        char *e = read_vector_part(names[i], "expect", NULL);
        char *p = read_vector_part(names[i], "profile", NULL);
        if (e && !p) {
            trim(e);
            if (strcmp(e, expect) == 0) claim = read_vector_part(names[i], "claim.json", len);
        }
        free(e);
        free(p);
    }
    free_names(names);
    return claim;
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* An engine with "today" fixed and, when `profile` is not NULL, that profile applied. */
static cleanclaim_engine *engine_with(const char *as_of, const char *profile) {
    cleanclaim_options *opts = NULL;
    cleanclaim_engine *engine = NULL;
    if (cleanclaim_options_new(&opts) != CLEANCLAIM_OK) return NULL;
    cleanclaim_result rc = cleanclaim_options_set_as_of(opts, as_of, strlen(as_of));
    if (rc == CLEANCLAIM_OK && profile) rc = cleanclaim_options_set_profile(opts, profile, strlen(profile));
    if (rc == CLEANCLAIM_OK) cleanclaim_engine_new(opts, &engine);
    cleanclaim_options_free(opts);
    return engine;
}

static cleanclaim_engine *engine_as_of(const char *as_of) { return engine_with(as_of, NULL); }

static int str_eq(cleanclaim_str s, const char *c) {
    return s.ptr && s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

static int cmp_str(const void *a, const void *b) {
    const cleanclaim_str *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->ptr, y->ptr, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The sorted, distinct rule ids of a report, one a line: what a vector's .expect holds. */
static char *rule_ids(const cleanclaim_report *report) {
    size_t n = cleanclaim_report_findings_len(report);
    cleanclaim_str *ids = calloc(n + 1, sizeof *ids);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        cleanclaim_finding f;
        if (cleanclaim_report_finding(report, i, &f) != CLEANCLAIM_OK) {
            free(ids);
            return NULL;
        }
        ids[i] = f.rule;
        total += f.rule.len + 1;
    }
    qsort(ids, n, sizeof *ids, cmp_str);
    char *out = malloc(total), *p = out;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_str(&ids[i], &ids[i - 1]) == 0) continue;
        if (p != out) *p++ = '\n';
        memcpy(p, ids[i].ptr, ids[i].len);
        p += ids[i].len;
    }
    *p = '\0';
    free(ids);
    return out;
}

static char *report_json(const cleanclaim_report *report) {
    char *s = NULL;
    size_t len = 0;
    if (cleanclaim_report_to_json(report, &s, &len) != CLEANCLAIM_OK) return NULL;
    char *copy = malloc(len + 1);
    memcpy(copy, s, len + 1);
    cleanclaim_string_free(s);
    return copy;
}

static char last_error[1024];
static const char *last_error_text(void) {
    size_t n = 0;
    last_error[0] = '\0';
    cleanclaim_last_error_message(last_error, sizeof last_error, &n);
    return last_error;
}

/* ---- shared vectors --------------------------------------------------------------------- */

/* Each vector is its own test: same claim, same "today", same rule ids as the Rust core. */
static void run_vectors(void) {
    size_t count;
    char **names = vector_names(&count);
    if (count == 0) {
        printf("FAIL vectors: no *.claim.json in %s\n", vector_dir);
        failed++;
    }
    for (size_t i = 0; i < count; i++) {
        const char *name = names[i];
        char *profile = read_vector_part(name, "profile", NULL);
        if (profile) trim(profile);
        size_t claim_len = 0;
        char *claim = read_vector_part(name, "claim.json", &claim_len);
        char *as_of = read_vector_part(name, "as_of", NULL);
        char *expect = read_vector_part(name, "expect", NULL);
        current_failed = 0;
        if (!claim || !as_of || !expect) {
            fprintf(stderr, "  %s: missing split files\n", name);
            current_failed = 1;
        } else {
            trim(as_of);
            trim(expect);
            cleanclaim_engine *engine = engine_with(as_of, profile);
            cleanclaim_report *report = NULL;
            CHECK(engine != NULL);
            CHECK_RC(cleanclaim_engine_check_json(engine, claim, claim_len, &report), CLEANCLAIM_OK);
            char *got = rule_ids(report);
            if (!got || strcmp(got, expect) != 0) {
                fprintf(stderr, "  %s: expected [%s], got [%s]\n", name, expect, got ? got : "?");
                current_failed = 1;
            }
            free(got);
            cleanclaim_report_free(report);
            cleanclaim_engine_free(engine);
        }
        record("vector ", name);
        free(claim);
        free(as_of);
        free(expect);
        free(profile);
    }
    free_names(names);
}

/* ---- API contract ----------------------------------------------------------------------- */

static void test_version(void) {
    CHECK(strcmp(cleanclaim_version(), CLEANCLAIM_VERSION_STRING) == 0);
    char built[64];
    snprintf(built, sizeof built, "%d.%d.%d", CLEANCLAIM_VERSION_MAJOR, CLEANCLAIM_VERSION_MINOR,
             CLEANCLAIM_VERSION_PATCH);
    CHECK(strcmp(built, CLEANCLAIM_VERSION_STRING) == 0);
    CHECK(CLEANCLAIM_VERSION_NUMBER == ((CLEANCLAIM_VERSION_MAJOR << 16) |
                                        (CLEANCLAIM_VERSION_MINOR << 8) | CLEANCLAIM_VERSION_PATCH));
}

static void test_free_null_is_a_no_op(void) {
    cleanclaim_options_free(NULL);
    cleanclaim_engine_free(NULL);
    cleanclaim_report_free(NULL);
    cleanclaim_report_list_free(NULL);
    cleanclaim_string_free(NULL);
    CHECK(1);
}

static void test_null_arguments(void) {
    static const char claim[] = "{}";
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    CHECK(engine != NULL);
    cleanclaim_options *opts = NULL;
    CHECK_RC(cleanclaim_options_new(&opts), CLEANCLAIM_OK);

    /* Outputs stay untouched on failure: a sentinel must survive every failing call. */
    cleanclaim_report *const sentinel = (cleanclaim_report *)&passed;
    cleanclaim_report *report = sentinel;
    cleanclaim_report_list *list = (cleanclaim_report_list *)&passed;
    cleanclaim_engine *e2 = (cleanclaim_engine *)&passed;

    CHECK_RC(cleanclaim_options_new(NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_set_as_of(NULL, "2026-01-01", 10), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_set_as_of(opts, NULL, 0), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_disable_rule(NULL, "x", 1), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_disable_rule(opts, NULL, 0), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_enable_rule(NULL, "x", 1), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_enable_rule(opts, NULL, 5), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_set_severity(NULL, "x", 1, CLEANCLAIM_SEVERITY_INFO),
             CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_set_severity(opts, NULL, 1, CLEANCLAIM_SEVERITY_INFO),
             CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_new(opts, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_new(NULL, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);

    CHECK_RC(cleanclaim_engine_check_json(NULL, claim, 2, &report), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_check_json(engine, NULL, 0, &report), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, 2, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK(report == sentinel);
    CHECK(strstr(last_error_text(), "out") != NULL);
    CHECK_RC(cleanclaim_engine_check_many_json(NULL, claim, 2, &list), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_check_many_json(engine, NULL, 2, &list), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_check_many_json(engine, claim, 2, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK(list == (cleanclaim_report_list *)&passed);
    CHECK(e2 == (cleanclaim_engine *)&passed);

    cleanclaim_finding f;
    cleanclaim_str s;
    char *json = NULL;
    size_t len = 0;
    const cleanclaim_report *borrowed = NULL;
    CHECK(cleanclaim_report_ok(NULL) == false);
    CHECK(cleanclaim_report_findings_len(NULL) == 0);
    CHECK(cleanclaim_report_list_len(NULL) == 0);
    CHECK_RC(cleanclaim_report_finding(NULL, 0, &f), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_claim_id(NULL, &s), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_to_json(NULL, &json, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_list_get(NULL, 0, &borrowed), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_list_to_json(NULL, &json, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK(json == NULL && len == 0 && borrowed == NULL);
    CHECK_RC(cleanclaim_error_message(CLEANCLAIM_OK, NULL, 16, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_last_error_message(NULL, 16, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK(cleanclaim_severity_name(99) == NULL);

    cleanclaim_options_free(opts);
    cleanclaim_engine_free(engine);
}

static void test_null_outputs_on_a_real_report(void) {
    size_t claim_len = 0;
    char *claim = find_vector_claim("", &claim_len);
    CHECK(claim != NULL);
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    cleanclaim_report *report = NULL;
    cleanclaim_report_list *list = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, claim_len, &report), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_check_many_json(engine, claim, claim_len, &list), CLEANCLAIM_OK);
    char *json = NULL;
    size_t len = 0;
    CHECK_RC(cleanclaim_report_finding(report, 0, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_claim_id(report, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_to_json(report, NULL, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_to_json(report, &json, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_list_get(list, 0, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_list_to_json(list, NULL, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_report_list_to_json(list, &json, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK(json == NULL && len == 0);
    cleanclaim_report_list_free(list);
    cleanclaim_report_free(report);
    cleanclaim_engine_free(engine);
    free(claim);
}

static void test_invalid_utf8(void) {
    static const char bad[] = "{\"id\": \"\xff\xfe\"}";
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    cleanclaim_report *report = NULL;
    cleanclaim_report_list *list = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, bad, sizeof bad - 1, &report),
             CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK(strstr(last_error_text(), "offset 8") != NULL);
    CHECK_RC(cleanclaim_engine_check_many_json(engine, bad, sizeof bad - 1, &list),
             CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK(report == NULL && list == NULL);

    cleanclaim_options *opts = NULL;
    CHECK_RC(cleanclaim_options_new(&opts), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_options_set_as_of(opts, "\xc3\x28", 2), CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK_RC(cleanclaim_options_disable_rule(opts, "\x80", 1), CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK_RC(cleanclaim_options_enable_rule(opts, "a\xe2\x82", 3), CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK_RC(cleanclaim_options_set_severity(opts, "\xff", 1, CLEANCLAIM_SEVERITY_INFO),
             CLEANCLAIM_ERR_INVALID_UTF8);
    cleanclaim_options_free(opts);
    cleanclaim_engine_free(engine);
}

static void test_truncated_and_wrong_json(void) {
    size_t claim_len = 0;
    char *claim = find_vector_claim("", &claim_len);
    CHECK(claim != NULL);
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    cleanclaim_report *report = NULL;
    cleanclaim_report_list *list = NULL;
    /* Every prefix of a claim is unusable and must fail cleanly, never crash. */
    size_t step = claim_len / 37 + 1;
    for (size_t cut = 0; claim && cut < claim_len - 1; cut += step) {
        cleanclaim_result rc = cleanclaim_engine_check_json(engine, claim, cut, &report);
        if (rc != CLEANCLAIM_ERR_JSON) {
            fprintf(stderr, "  prefix %zu: rc %u\n", cut, (unsigned)rc);
            current_failed = 1;
        }
        rc = cleanclaim_engine_check_many_json(engine, claim, cut, &list);
        if (rc != CLEANCLAIM_ERR_JSON) {
            fprintf(stderr, "  many, prefix %zu: rc %u\n", cut, (unsigned)rc);
            current_failed = 1;
        }
    }
    CHECK(report == NULL && list == NULL);
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, claim_len / 2, &report), CLEANCLAIM_ERR_JSON);
    const char *msg = last_error_text();
    CHECK(msg[0] != '\0' && strchr(msg, ':') != NULL); /* line:column: ... */

    CHECK_RC(cleanclaim_engine_check_json(engine, "", 0, &report), CLEANCLAIM_ERR_JSON);
    CHECK_RC(cleanclaim_engine_check_json(engine, "[]", 2, &report), CLEANCLAIM_ERR_JSON);
    CHECK_RC(cleanclaim_engine_check_json(engine, "{}", 2, &report), CLEANCLAIM_ERR_JSON);
    CHECK_RC(cleanclaim_engine_check_many_json(engine, "[1,2]", 5, &list), CLEANCLAIM_ERR_JSON);
    CHECK(report == NULL && list == NULL);
    cleanclaim_engine_free(engine);
    free(claim);
}

/* An unusable value must not come back in the error text: it may be patient data. */
static void test_errors_do_not_echo_input(void) {
    size_t claim_len = 0;
    char *claim = find_vector_claim("", &claim_len);
    CHECK(claim != NULL);
    char *at = claim ? strstr(claim, "\"birth_date\"") : NULL;
    CHECK(at != NULL);
    if (at) {
        char *value = strchr(at + 12, '"');
        CHECK(value != NULL && strlen(value) > 11);
        if (value) memcpy(value + 1, "Zelda-Cana", 10); /* same length as YYYY-MM-DD */
    }
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    cleanclaim_report *report = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, claim_len, &report), CLEANCLAIM_ERR_JSON);
    const char *msg = last_error_text();
    CHECK(strstr(msg, "birth_date") != NULL);
    CHECK(strstr(msg, "Zelda") == NULL);
    cleanclaim_engine_free(engine);
    free(claim);
}

static void test_options(void) {
    size_t claim_len = 0;
    char *claim = find_vector_claim("claim.total_mismatch", &claim_len);
    CHECK(claim != NULL);
    cleanclaim_options *opts = NULL;
    cleanclaim_engine *engine = NULL;
    cleanclaim_report *report = NULL;
    cleanclaim_finding f;
    static const char rule[] = "claim.total_mismatch";

    CHECK_RC(cleanclaim_options_new(&opts), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_options_set_as_of(opts, "2026-02-30", 10), CLEANCLAIM_ERR_CONFIG);
    CHECK_RC(cleanclaim_options_set_as_of(opts, "20261130", 8), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_options_set_severity(opts, rule, strlen(rule), 7), CLEANCLAIM_ERR_OUT_OF_RANGE);
    CHECK_RC(cleanclaim_options_set_severity(opts, rule, strlen(rule), CLEANCLAIM_SEVERITY_WARNING),
             CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, claim_len, &report), CLEANCLAIM_OK);
    CHECK(cleanclaim_report_ok(report) == true);
    CHECK(cleanclaim_report_findings_len(report) == 1);
    CHECK_RC(cleanclaim_report_finding(report, 0, &f), CLEANCLAIM_OK);
    CHECK(str_eq(f.rule, rule) && f.severity == CLEANCLAIM_SEVERITY_WARNING);
    CHECK(strcmp(cleanclaim_severity_name(f.severity), "warning") == 0);
    CHECK(f.path.ptr != NULL && f.path.len > 0 && f.message.len > 0);
    CHECK_RC(cleanclaim_report_finding(report, 1, &f), CLEANCLAIM_ERR_OUT_OF_RANGE);
    cleanclaim_report_free(report);
    cleanclaim_engine_free(engine);
    report = NULL;
    engine = NULL;

    /* The options are reusable: the engine copied them. */
    CHECK_RC(cleanclaim_options_disable_rule(opts, rule, strlen(rule)), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, claim_len, &report), CLEANCLAIM_OK);
    CHECK(cleanclaim_report_ok(report) && cleanclaim_report_findings_len(report) == 0);
    cleanclaim_report_free(report);
    cleanclaim_engine_free(engine);
    engine = NULL;

    /* Unknown rule ids are configuration errors when the engine is built, naming the id. */
    CHECK_RC(cleanclaim_options_enable_rule(opts, "no.such_rule", 12), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_ERR_CONFIG);
    CHECK(engine == NULL);
    CHECK(strstr(last_error_text(), "no.such_rule") != NULL);
    cleanclaim_options_free(opts);

    /* NULL options: the defaults. */
    CHECK_RC(cleanclaim_engine_new(NULL, &engine), CLEANCLAIM_OK);
    CHECK(engine != NULL);
    cleanclaim_engine_free(engine);
    free(claim);
}

static void test_report_accessors_and_json(void) {
    size_t claim_len = 0;
    char *claim = find_vector_claim("line.pointer_invalid", &claim_len);
    CHECK(claim != NULL);
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    cleanclaim_report *report = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, claim_len, &report), CLEANCLAIM_OK);
    CHECK(cleanclaim_report_ok(report) == false);
    CHECK(cleanclaim_report_findings_len(report) >= 1);
    cleanclaim_finding f;
    CHECK_RC(cleanclaim_report_finding(report, 0, &f), CLEANCLAIM_OK);
    CHECK(str_eq(f.rule, "line.pointer_invalid"));
    CHECK(f.severity == CLEANCLAIM_SEVERITY_ERROR);
    CHECK(f.line >= 1);
    CHECK(f.path.len > 6 && memcmp(f.path.ptr, "lines[", 6) == 0);

    cleanclaim_str id;
    CHECK_RC(cleanclaim_report_claim_id(report, &id), CLEANCLAIM_OK);
    CHECK(id.ptr != NULL && id.len > 0);
    if (id.ptr) {
        char needle[256];
        snprintf(needle, sizeof needle, "\"%.*s\"", (int)id.len, id.ptr);
        CHECK(strstr(claim, needle) != NULL);
    }

    char *json = NULL;
    size_t len = 0;
    CHECK_RC(cleanclaim_report_to_json(report, &json, &len), CLEANCLAIM_OK);
    CHECK(json != NULL && strlen(json) == len);
    CHECK(json && strstr(json, "\"ok\":false") && strstr(json, "\"rule\":\"line.pointer_invalid\""));
    cleanclaim_string_free(json);
    cleanclaim_report_free(report);
    cleanclaim_engine_free(engine);
    free(claim);
}

/* check_many over an array and over JSON lines gives check_json's reports, in order. */
static void test_check_many(void) {
    size_t l1 = 0, l2 = 0;
    char *clean = find_vector_claim("", &l1);
    char *bad = find_vector_claim("claim.total_mismatch", &l2);
    CHECK(clean && bad);
    if (!clean || !bad) return;
    /* JSON lines need one object per line: strip the pretty-printing newlines. */
    for (char *p = clean; *p; p++) if (*p == '\n' || *p == '\r') *p = ' ';
    for (char *p = bad; *p; p++) if (*p == '\n' || *p == '\r') *p = ' ';
    const char *parts[3] = {clean, bad, clean};
    size_t cap = 2 * (l1 + l2 + l1) + 16;
    char *array = malloc(cap), *lines = malloc(cap);
    snprintf(array, cap, "[%s,%s,%s]", parts[0], parts[1], parts[2]);
    snprintf(lines, cap, "%s\n%s\n\n%s\n", parts[0], parts[1], parts[2]);

    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    char *want[3];
    for (int i = 0; i < 3; i++) {
        cleanclaim_report *r = NULL;
        CHECK_RC(cleanclaim_engine_check_json(engine, parts[i], strlen(parts[i]), &r), CLEANCLAIM_OK);
        want[i] = report_json(r);
        cleanclaim_report_free(r);
    }
    const char *inputs[2] = {array, lines};
    for (int k = 0; k < 2; k++) {
        cleanclaim_report_list *list = NULL;
        CHECK_RC(cleanclaim_engine_check_many_json(engine, inputs[k], strlen(inputs[k]), &list),
                 CLEANCLAIM_OK);
        CHECK(cleanclaim_report_list_len(list) == 3);
        for (size_t i = 0; i < 3; i++) {
            const cleanclaim_report *r = NULL;
            CHECK_RC(cleanclaim_report_list_get(list, i, &r), CLEANCLAIM_OK);
            char *got = report_json(r);
            CHECK(got && want[i] && strcmp(got, want[i]) == 0);
            free(got);
        }
        const cleanclaim_report *r = NULL;
        CHECK_RC(cleanclaim_report_list_get(list, 3, &r), CLEANCLAIM_ERR_OUT_OF_RANGE);
        CHECK(r == NULL);
        char *json = NULL;
        size_t len = 0;
        CHECK_RC(cleanclaim_report_list_to_json(list, &json, &len), CLEANCLAIM_OK);
        CHECK(json && json[0] == '[' && json[len - 1] == ']' && strlen(json) == len);
        cleanclaim_string_free(json);
        cleanclaim_report_list_free(list);
    }
    /* A batch big enough for the core to split it across the worker pool. */
    enum { BIG = 300 };
    size_t big_cap = BIG * (l1 + 1) + 3;
    char *big = malloc(big_cap), *p = big;
    *p++ = '[';
    for (int i = 0; i < BIG; i++) {
        if (i) *p++ = ',';
        memcpy(p, clean, l1);
        p += l1;
    }
    *p++ = ']';
    *p = '\0';
    cleanclaim_report_list *list = NULL;
    CHECK_RC(cleanclaim_engine_check_many_json(engine, big, strlen(big), &list), CLEANCLAIM_OK);
    CHECK(cleanclaim_report_list_len(list) == BIG);
    for (size_t i = 0; i < cleanclaim_report_list_len(list); i++) {
        const cleanclaim_report *r = NULL;
        cleanclaim_report_list_get(list, i, &r);
        char *got = report_json(r);
        if (!got || strcmp(got, want[0]) != 0) current_failed = 1;
        free(got);
    }
    cleanclaim_report_list_free(list);
    free(big);

    for (int i = 0; i < 3; i++) free(want[i]);
    cleanclaim_engine_free(engine);
    free(array);
    free(lines);
    free(clean);
    free(bad);
}

static void test_error_messages(void) {
    char buf[256];
    size_t n = 0;
    for (unsigned code = CLEANCLAIM_OK; code <= CLEANCLAIM_ERR_OTHER; code++) {
        CHECK_RC(cleanclaim_error_message(code, buf, sizeof buf, &n), CLEANCLAIM_OK);
        CHECK(n > 0 && strlen(buf) == n);
    }
    CHECK_RC(cleanclaim_error_message(CLEANCLAIM_ERR_JSON, buf, sizeof buf, NULL), CLEANCLAIM_OK);
    CHECK(strstr(buf, "JSON") != NULL);
    CHECK_RC(cleanclaim_error_message(9999, buf, sizeof buf, &n), CLEANCLAIM_ERR_OUT_OF_RANGE);
    CHECK(strstr(buf, "unknown") != NULL);

    /* snprintf-style: ask for the size, then a truncated copy is still NUL-terminated. */
    size_t full = 0;
    CHECK_RC(cleanclaim_error_message(CLEANCLAIM_ERR_JSON, NULL, 0, &full), CLEANCLAIM_ERR_BUFFER_TOO_SMALL);
    CHECK(full > 8);
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK_RC(cleanclaim_error_message(CLEANCLAIM_ERR_JSON, small, sizeof small, &n),
             CLEANCLAIM_ERR_BUFFER_TOO_SMALL);
    CHECK(n == full && small[7] == '\0' && strlen(small) == 7);
    char *exact = malloc(full + 1);
    CHECK_RC(cleanclaim_error_message(CLEANCLAIM_ERR_JSON, exact, full + 1, &n), CLEANCLAIM_OK);
    CHECK(strlen(exact) == full);
    free(exact);
}

static void test_profiles(void) {
    cleanclaim_options *opts = NULL;
    cleanclaim_engine *engine = NULL;
    CHECK_RC(cleanclaim_options_new(&opts), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_options_set_profile(NULL, "x", 1), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_set_profile(opts, NULL, 0), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_options_set_profile(opts, "\xff", 1), CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK_RC(cleanclaim_options_set_profile(opts, "no-such-profile", 15), CLEANCLAIM_ERR_IO);
    CHECK_RC(cleanclaim_options_set_profile(opts, "/nonexistent/p.toml", 19), CLEANCLAIM_ERR_IO);
    static const char name[] = "commercial-default";
    CHECK_RC(cleanclaim_options_set_profile(opts, name, strlen(name)), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_OK);
    CHECK(engine != NULL);
    cleanclaim_engine_free(engine);
    cleanclaim_options_free(opts);
}

static void test_code_lookup(void) {
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    char *json = (char *)&passed;
    size_t len = 7;
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "E11.65", 6, "2026-03-02", 10, &json, &len), CLEANCLAIM_OK);
    CHECK(json && json != (char *)&passed && strlen(json) == len);
    CHECK(json && strstr(json, "\"display\":\"E11.65\"") && strstr(json, "\"valid\":true"));
    if (json != (char *)&passed) cleanclaim_string_free(json);
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "E11.65", 6, NULL, 0, &json, &len), CLEANCLAIM_OK);
    cleanclaim_string_free(json);
    /* Unknown: not an error, no JSON. */
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "QQQ.QQ", 6, NULL, 0, &json, &len), CLEANCLAIM_OK);
    CHECK(json == NULL && len == 0);
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "E11.65", 6, "2026-02-30", 10, &json, &len),
             CLEANCLAIM_ERR_CONFIG);
    CHECK_RC(cleanclaim_engine_lookup_json(NULL, "E11.65", 6, NULL, 0, &json, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_lookup_json(engine, NULL, 0, NULL, 0, &json, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "\xff", 1, NULL, 0, &json, &len), CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "E11.65", 6, NULL, 0, NULL, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "E11.65", 6, NULL, 0, &json, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);

    json = NULL;
    CHECK_RC(cleanclaim_engine_search_json(engine, "diabetes", 8, 5, &json, &len), CLEANCLAIM_OK);
    CHECK(json && json[0] == '[' && strlen(json) == len && strstr(json, "\"code\":\"E"));
    cleanclaim_string_free(json);
    CHECK_RC(cleanclaim_engine_search_json(engine, "diabetes", 8, 5, NULL, &len), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_search_json(engine, "\xc3", 1, 5, &json, &len), CLEANCLAIM_ERR_INVALID_UTF8);

    cleanclaim_str codes[3] = {{"E11.65", 6}, {"E11", 3}, {"QQQ", 3}};
    bool valid[3] = {false, true, true};
    CHECK_RC(cleanclaim_engine_icd10cm_validity(engine, codes, 3, "2026-03-02", 10, valid), CLEANCLAIM_OK);
    CHECK(valid[0] == true && valid[1] == false && valid[2] == false);
    cleanclaim_str bad[2] = {{"E11.65", 6}, {"\xff", 1}};
    bool untouched[2] = {false, false};
    CHECK_RC(cleanclaim_engine_icd10cm_validity(engine, bad, 2, "2026-03-02", 10, untouched),
             CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK(!untouched[0] && strstr(last_error_text(), "codes[1]") != NULL);
    CHECK_RC(cleanclaim_engine_icd10cm_validity(engine, NULL, 0, "2026-03-02", 10, valid), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_icd10cm_validity(engine, codes, 3, NULL, 0, valid), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_icd10cm_validity(engine, codes, 3, "2026-03-02", 10, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);

    /* One code at a time answers as the batch does. */
    for (int i = 0; i < 3; i++) {
        bool one = !valid[i];
        CHECK_RC(cleanclaim_engine_icd10cm_valid(engine, codes[i].ptr, codes[i].len, "2026-03-02", 10, &one),
                 CLEANCLAIM_OK);
        CHECK(one == valid[i]);
    }
    bool one = true;
    CHECK_RC(cleanclaim_engine_icd10cm_valid(engine, "e1165", 5, "2026-03-02", 10, &one), CLEANCLAIM_OK);
    CHECK(one == true);
    one = true;
    CHECK_RC(cleanclaim_engine_icd10cm_valid(engine, "\xff", 1, "2026-03-02", 10, &one), CLEANCLAIM_ERR_INVALID_UTF8);
    CHECK(one == true && strstr(last_error_text(), "code") != NULL);
    CHECK_RC(cleanclaim_engine_icd10cm_valid(engine, "E11.65", 6, "March 2", 7, &one), CLEANCLAIM_ERR_CONFIG);
    CHECK_RC(cleanclaim_engine_icd10cm_valid(engine, NULL, 0, "2026-03-02", 10, &one), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_icd10cm_valid(engine, "E11.65", 6, "2026-03-02", 10, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_icd10cm_valid(NULL, "E11.65", 6, "2026-03-02", 10, &one), CLEANCLAIM_ERR_NULL_ARGUMENT);
    cleanclaim_engine_free(engine);
}

/* ---- threads ---------------------------------------------------------------------------- */

#define THREADS 8
#define ROUNDS 3

struct shared {
    const cleanclaim_engine *engine;
    size_t count;
    char **claims;
    size_t *lens;
    char **want; /* single-threaded report JSON per claim */
    char *batch; /* every claim as one JSON array */
    char *batch_want;
};

struct worker {
    struct shared *s;
    int id;
    int mismatches;
    int own_error_kept;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    struct shared *s = w->s;
    /* The last-error text is per thread: this thread's failure must not leak into others. */
    cleanclaim_report *none = NULL;
    char tag[32];
    int taglen = snprintf(tag, sizeof tag, "{\"t%d\":", w->id);
    cleanclaim_engine_check_json(s->engine, tag, (size_t)taglen, &none);
    char mine[512];
    cleanclaim_last_error_message(mine, sizeof mine, NULL);

    for (int round = 0; round < ROUNDS; round++) {
        for (size_t k = 0; k < s->count; k++) {
            size_t i = (k + (size_t)w->id) % s->count;
            cleanclaim_report *r = NULL;
            if (cleanclaim_engine_check_json(s->engine, s->claims[i], s->lens[i], &r) != CLEANCLAIM_OK) {
                w->mismatches++;
                continue;
            }
            char *got = report_json(r);
            if (!got || strcmp(got, s->want[i]) != 0) w->mismatches++;
            free(got);
            cleanclaim_report_free(r);
        }
        cleanclaim_report_list *list = NULL;
        if (cleanclaim_engine_check_many_json(s->engine, s->batch, strlen(s->batch), &list) != CLEANCLAIM_OK) {
            w->mismatches++;
        } else {
            char *json = NULL;
            size_t len = 0;
            if (cleanclaim_report_list_to_json(list, &json, &len) != CLEANCLAIM_OK ||
                strcmp(json, s->batch_want) != 0)
                w->mismatches++;
            cleanclaim_string_free(json);
            cleanclaim_report_list_free(list);
        }
    }
    char again[512];
    cleanclaim_last_error_message(again, sizeof again, NULL);
    w->own_error_kept = strcmp(mine, again) == 0;
    return NULL;
}

static void test_threads_share_one_engine(void) {
    struct shared s = {0};
    char **names = vector_names(&s.count);
    s.claims = calloc(s.count, sizeof *s.claims);
    s.lens = calloc(s.count, sizeof *s.lens);
    s.want = calloc(s.count, sizeof *s.want);
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    s.engine = engine;
    size_t total = 2;
    for (size_t i = 0; i < s.count; i++) {
        s.claims[i] = read_vector_part(names[i], "claim.json", &s.lens[i]);
        total += s.lens[i] + 1;
        cleanclaim_report *r = NULL;
        CHECK_RC(cleanclaim_engine_check_json(engine, s.claims[i], s.lens[i], &r), CLEANCLAIM_OK);
        s.want[i] = report_json(r);
        cleanclaim_report_free(r);
    }
    s.batch = malloc(total + 1);
    char *p = s.batch;
    *p++ = '[';
    for (size_t i = 0; i < s.count; i++) {
        if (i) *p++ = ',';
        memcpy(p, s.claims[i], s.lens[i]);
        p += s.lens[i];
    }
    *p++ = ']';
    *p = '\0';
    cleanclaim_report_list *list = NULL;
    CHECK_RC(cleanclaim_engine_check_many_json(engine, s.batch, strlen(s.batch), &list), CLEANCLAIM_OK);
    char *json = NULL;
    size_t len = 0;
    CHECK_RC(cleanclaim_report_list_to_json(list, &json, &len), CLEANCLAIM_OK);
    s.batch_want = malloc(len + 1);
    memcpy(s.batch_want, json, len + 1);
    cleanclaim_string_free(json);
    cleanclaim_report_list_free(list);

    /* The main thread's own last error must survive the workers' failures. */
    cleanclaim_engine_check_json(engine, "{\"main\":", 8, NULL);
    char before[512], after[512];
    cleanclaim_last_error_message(before, sizeof before, NULL);

    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){.s = &s, .id = t};
        CHECK(pthread_create(&threads[t], NULL, worker_main, &workers[t]) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CHECK(workers[t].mismatches == 0);
        CHECK(workers[t].own_error_kept);
    }
    cleanclaim_last_error_message(after, sizeof after, NULL);
    CHECK(strcmp(before, after) == 0 && strstr(before, "out") != NULL);

    cleanclaim_engine_free(engine);
    for (size_t i = 0; i < s.count; i++) {
        free(s.claims[i]);
        free(s.want[i]);
    }
    free(s.claims);
    free(s.lens);
    free(s.want);
    free(s.batch);
    free(s.batch_want);
    free_names(names);
}

/* ---- X12, NCCI tables, release files (paths are relative to the repository root, the cwd
 * bindings/c/test.sh runs the tests in) -------------------------------------------------- */

#define X12_FIXTURE "tests/x12/defective-pointer-and-units.837"

/* An 837 made from examples/claims/defective-pointer-and-units.json gives its rule ids. */
static void test_x12_matches_json(void) {
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    size_t xlen = 0, jlen = 0;
    char *x12 = read_file(X12_FIXTURE, &xlen);
    char *json = read_file("examples/claims/defective-pointer-and-units.json", &jlen);
    CHECK(engine && x12 && json);
    if (!engine || !x12 || !json) goto done;
    cleanclaim_report *from_json = NULL;
    cleanclaim_report_list *list = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, json, jlen, &from_json), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_check_x12(engine, (const uint8_t *)x12, xlen, &list), CLEANCLAIM_OK);
    CHECK(cleanclaim_report_list_len(list) == 1);
    const cleanclaim_report *r = NULL;
    CHECK_RC(cleanclaim_report_list_get(list, 0, &r), CLEANCLAIM_OK);
    if (r && from_json) {
        char *want = rule_ids(from_json), *got = rule_ids(r);
        CHECK(want && got && strcmp(want, got) == 0);
        CHECK(want && strcmp(want, "line.pointer_invalid\nline.units_invalid") == 0);
        free(want);
        free(got);
        cleanclaim_str id = {0};
        CHECK_RC(cleanclaim_report_claim_id(r, &id), CLEANCLAIM_OK);
        CHECK(str_eq(id, "PCN-2026-0003"));
        CHECK(cleanclaim_report_ok(r) == false);
    }
    cleanclaim_report_list_free(list);
    cleanclaim_report_free(from_json);
done:
    free(x12);
    free(json);
    cleanclaim_engine_free(engine);
}

static void test_x12_errors(void) {
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    size_t len = 0;
    char *x12 = read_file(X12_FIXTURE, &len);
    CHECK(engine && x12);
    if (!engine || !x12) goto done;
    cleanclaim_report_list *list = (cleanclaim_report_list *)&passed;
    /* A 4010 interchange: the error names the version. */
    for (char *at = x12; (at = strstr(at, "005010X222A1")) != NULL; at += 12) memcpy(at, "004010X098A1", 12);
    CHECK_RC(cleanclaim_engine_check_x12(engine, (const uint8_t *)x12, len, &list), CLEANCLAIM_ERR_X12);
    CHECK(strstr(last_error_text(), "004010X098A1") != NULL);
    CHECK(list == (cleanclaim_report_list *)&passed);
    /* Garbage bytes. */
    uint8_t garbage[300];
    for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (uint8_t)(i * 37 + 11);
    cleanclaim_result rc = cleanclaim_engine_check_x12(engine, garbage, sizeof garbage, &list);
    CHECK(rc == CLEANCLAIM_ERR_X12 || rc == CLEANCLAIM_ERR_LIMIT);
    CHECK(list == (cleanclaim_report_list *)&passed);
    CHECK_RC(cleanclaim_engine_check_x12(engine, NULL, 0, &list), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_check_x12(engine, garbage, sizeof garbage, NULL), CLEANCLAIM_ERR_NULL_ARGUMENT);
done:
    free(x12);
    cleanclaim_engine_free(engine);
}

/* A file in any format is told by its content; what holds no claims says what it is. */
static void test_check_file(void) {
    cleanclaim_engine *engine = engine_as_of("2026-11-30");
    CHECK(engine != NULL);
    if (!engine) return;
    const char *paths[] = {X12_FIXTURE, "examples/claims/defective-pointer-and-units.json"};
    for (size_t i = 0; i < 2; i++) {
        cleanclaim_report_list *list = NULL;
        CHECK_RC(cleanclaim_engine_check_file(engine, paths[i], strlen(paths[i]), &list), CLEANCLAIM_OK);
        CHECK(cleanclaim_report_list_len(list) == 1);
        const cleanclaim_report *r = NULL;
        CHECK_RC(cleanclaim_report_list_get(list, 0, &r), CLEANCLAIM_OK);
        char *got = r ? rule_ids(r) : NULL;
        CHECK(got && strcmp(got, "line.pointer_invalid\nline.units_invalid") == 0);
        free(got);
        cleanclaim_report_list_free(list);
    }
    char remit[] = "/tmp/cleanclaim-c-test-XXXXXX";
    int fd = mkstemp(remit);
    CHECK(fd >= 0);
    if (fd >= 0) {
        const char *text = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*"
                           "000000001*0*T*:~GS*HP*S*R*20260101*1200*1*X*005010X221A1~ST*835*0001~";
        CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
        cleanclaim_report_list *list = (cleanclaim_report_list *)&passed;
        CHECK_RC(cleanclaim_engine_check_file(engine, remit, strlen(remit), &list), CLEANCLAIM_ERR_X12);
        CHECK(strstr(last_error_text(), "an 835 remittance, not claims") != NULL);
        CHECK(list == (cleanclaim_report_list *)&passed);
        unlink(remit);
    }
    cleanclaim_report_list *list = (cleanclaim_report_list *)&passed;
    CHECK_RC(cleanclaim_engine_check_file(engine, "no/such/file", 12, &list), CLEANCLAIM_ERR_IO);
    CHECK(list == (cleanclaim_report_list *)&passed);
    CHECK_RC(cleanclaim_engine_check_file(engine, NULL, 0, &list), CLEANCLAIM_ERR_NULL_ARGUMENT);
    CHECK_RC(cleanclaim_engine_check_file(engine, "\xff", 1, &list), CLEANCLAIM_ERR_INVALID_UTF8);
    cleanclaim_engine_free(engine);
}

/* Replaces the first `from` in `s` by `to` (same length). */
static void replace_once(char *s, const char *from, const char *to) {
    char *at = strstr(s, from);
    CHECK(at != NULL && strlen(from) == strlen(to));
    if (at) memcpy(at, to, strlen(to));
}

static void test_ncci_dir(void) {
    const char *dir = "crates/cleanclaim/tests/fixtures/ncci/tables";
    size_t len = 0;
    char *claim = read_file("examples/claims/clean-office-visit.json", &len);
    CHECK(claim != NULL);
    if (!claim) return;
    /* Arthrocentesis (20610) with ultrasound guidance (76942) on one date: a PTP pair. */
    replace_once(claim, "\"83036\"", "\"20610\"");
    replace_once(claim, "\"36415\"", "\"76942\"");
    cleanclaim_options *opts = NULL;
    cleanclaim_engine *engine = NULL;
    cleanclaim_report *report = NULL;
    CHECK_RC(cleanclaim_options_new(&opts), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_options_set_as_of(opts, "2026-11-30", 10), CLEANCLAIM_OK);
    /* A folder without tables is refused and leaves the options as they were. */
    CHECK_RC(cleanclaim_options_set_ncci_dir(opts, "examples/claims", 15), CLEANCLAIM_ERR_CONFIG);
    CHECK_RC(cleanclaim_options_set_ncci_dir(opts, dir, strlen(dir)), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_OK);
    cleanclaim_options_free(opts);
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, len, &report), CLEANCLAIM_OK);
    char *ids = report ? rule_ids(report) : NULL;
    CHECK(ids && strstr(ids, "ncci.ptp") != NULL);
    free(ids);
    cleanclaim_report_free(report);
    cleanclaim_engine_free(engine);
    /* Without the tables, no PTP finding. */
    engine = engine_as_of("2026-11-30");
    report = NULL;
    CHECK_RC(cleanclaim_engine_check_json(engine, claim, len, &report), CLEANCLAIM_OK);
    ids = report ? rule_ids(report) : NULL;
    CHECK(ids && strstr(ids, "ncci.ptp") == NULL);
    free(ids);
    cleanclaim_report_free(report);
    cleanclaim_engine_free(engine);
    free(claim);
}

static char release_order_file[4096];

static void test_release_files(void) {
    char spec[4200];
    snprintf(spec, sizeof spec, "icd10cm-order:%s@2021-01-01", release_order_file);
    cleanclaim_options *opts = NULL;
    cleanclaim_engine *engine = NULL;
    CHECK_RC(cleanclaim_options_new(&opts), CLEANCLAIM_OK);
    const char *bad_kind = "icd10cm-nope:/x.txt@2021-01-01", *no_date = "icd10cm-order:/x.txt";
    CHECK_RC(cleanclaim_options_add_release(opts, bad_kind, strlen(bad_kind)), CLEANCLAIM_ERR_CONFIG);
    CHECK_RC(cleanclaim_options_add_release(opts, no_date, strlen(no_date)), CLEANCLAIM_ERR_CONFIG);
    CHECK_RC(cleanclaim_options_add_release(opts, spec, strlen(spec)), CLEANCLAIM_OK);
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_OK);
    char *json = NULL;
    size_t len = 0;
    CHECK_RC(cleanclaim_engine_lookup_json(engine, "A00.0", 5, "2021-01-15", 10, &json, &len), CLEANCLAIM_OK);
    CHECK(json && strstr(json, "\"valid\":true") != NULL);
    cleanclaim_string_free(json);
    cleanclaim_engine_free(engine);
    /* A file that is not there: reported when the engine is built. */
    const char *missing = "icd10cm-order:/definitely/not/here.txt@2021-01-01";
    CHECK_RC(cleanclaim_options_add_release(opts, missing, strlen(missing)), CLEANCLAIM_OK);
    engine = NULL;
    CHECK_RC(cleanclaim_engine_new(opts, &engine), CLEANCLAIM_ERR_IO);
    CHECK(engine == NULL);
    cleanclaim_options_free(opts);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTOR_DIR (split by bindings/c/test.sh)\n", argv[0]);
        return 2;
    }
    vector_dir = argv[1];
    printf("cleanclaim %s (header %s)\n", cleanclaim_version(), CLEANCLAIM_VERSION_STRING);

    run_vectors();
    run_test("version", test_version);
    run_test("free(NULL) is a no-op", test_free_null_is_a_no_op);
    run_test("NULL arguments", test_null_arguments);
    run_test("NULL outputs on a real report", test_null_outputs_on_a_real_report);
    run_test("invalid UTF-8", test_invalid_utf8);
    run_test("truncated and wrong JSON", test_truncated_and_wrong_json);
    run_test("errors do not echo input", test_errors_do_not_echo_input);
    run_test("options", test_options);
    run_test("report accessors and JSON", test_report_accessors_and_json);
    run_test("check_many: array and JSON lines", test_check_many);
    run_test("error messages", test_error_messages);
    run_test("profiles", test_profiles);
    run_test("code look-up, search, validity", test_code_lookup);
    run_test("8 threads share one engine", test_threads_share_one_engine);
    run_test("X12 837 gives the JSON claim's rule ids", test_x12_matches_json);
    run_test("X12 errors: 4010, garbage, NULL", test_x12_errors);
    run_test("check_file: any format by content, an 835, no file", test_check_file);
    run_test("NCCI tables from a folder", test_ncci_dir);
    const char *corpus = getenv("CLEANCLAIM_CORPUS");
    snprintf(release_order_file, sizeof release_order_file,
             "%s/codesets/icd10cm/FY2021-Jan_icd10cm-order-Jan-2021.txt", corpus ? corpus : "../shared/corpus");
    FILE *order = fopen(release_order_file, "rb");
    if (order) {
        fclose(order);
        run_test("code-set release files", test_release_files);
    } else if (getenv("CI")) {
        failed++;
        printf("FAIL code-set release files: corpus missing at %s\n", release_order_file);
    } else {
        skipped++;
        printf("skip code-set release files: no corpus at %s\n", release_order_file);
    }

    if (skipped)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
