/*
 * check_claims: checks the claims in a JSON file (one claim, an array, or JSON lines) with
 * libcleanclaim and prints every finding.
 *
 *   usage: check_claims [--as-of YYYY-MM-DD] FILE.json
 *   exit:  0 every claim can go out, 1 some claim has errors, 2 the file could not be checked
 *
 * Build: see the Makefile beside this file (shared or static, pkg-config or explicit flags).
 */
#include <cleanclaim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Prints the code's text and, when there is one, the detail of what went wrong. */
static void print_error(const char *what, cleanclaim_result rc) {
    char text[128], detail[512];
    cleanclaim_error_message(rc, text, sizeof text, NULL);
    cleanclaim_last_error_message(detail, sizeof detail, NULL);
    fprintf(stderr, "%s: %s (%u)%s%s\n", what, text, (unsigned)rc, detail[0] ? ": " : "", detail);
}

int main(int argc, char **argv) {
    const char *as_of = NULL, *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc) as_of = argv[++i];
        else path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: %s [--as-of YYYY-MM-DD] FILE.json\n", argv[0]);
        return 2;
    }

    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        perror(path);
        return 2;
    }

    int status = 2;
    cleanclaim_options *opts = NULL;
    cleanclaim_engine *engine = NULL;
    cleanclaim_report_list *reports = NULL;
    cleanclaim_result rc = cleanclaim_options_new(&opts);
    if (rc == CLEANCLAIM_OK && as_of) rc = cleanclaim_options_set_as_of(opts, as_of, strlen(as_of));
    if (rc == CLEANCLAIM_OK) rc = cleanclaim_engine_new(opts, &engine);
    cleanclaim_options_free(opts); /* the engine keeps a copy of what it needs */
    if (rc != CLEANCLAIM_OK) {
        print_error("engine", rc);
        goto out;
    }

    rc = cleanclaim_engine_check_many_json(engine, text, len, &reports);
    if (rc != CLEANCLAIM_OK) {
        print_error(path, rc);
        goto out;
    }

    status = 0;
    size_t claims = cleanclaim_report_list_len(reports), errors = 0;
    for (size_t i = 0; i < claims; i++) {
        const cleanclaim_report *report = NULL; /* borrowed from the list: not freed */
        cleanclaim_str id;
        cleanclaim_report_list_get(reports, i, &report);
        cleanclaim_report_claim_id(report, &id);
        bool ok = cleanclaim_report_ok(report);
        size_t n = cleanclaim_report_findings_len(report);
        printf("%s claim %.*s: %s, %zu finding%s\n", path, (int)id.len, id.ptr ? id.ptr : "",
               ok ? "ok" : "REJECT", n, n == 1 ? "" : "s");
        for (size_t k = 0; k < n; k++) {
            cleanclaim_finding f; /* views into the report: valid while the list lives */
            cleanclaim_report_finding(report, k, &f);
            printf("  %-7s %.*s at %.*s", cleanclaim_severity_name(f.severity), (int)f.rule.len,
                   f.rule.ptr, (int)f.path.len, f.path.ptr);
            if (f.line) printf(" (line %u)", (unsigned)f.line);
            printf(": %.*s\n", (int)f.message.len, f.message.ptr);
        }
        if (!ok) {
            errors++;
            status = 1;
        }
    }
    printf("%zu claim%s checked, %zu with errors\n", claims, claims == 1 ? "" : "s", errors);

out:
    cleanclaim_report_list_free(reports);
    cleanclaim_engine_free(engine);
    free(text);
    return status;
}
