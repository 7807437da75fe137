/*
 * The few lines of test harness shared by test_cleanclaim.c and test_reliability.c: CHECK and
 * CHECK_RC mark the running test failed (and say where), run_test counts and prints it.
 */
#ifndef CLEANCLAIM_TEST_HARNESS_H
#define CLEANCLAIM_TEST_HARNESS_H

#include <cleanclaim.h>

#include <stdio.h>

static int passed, failed;
static int current_failed;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            current_failed = 1;                                                              \
        }                                                                                    \
    } while (0)

#define CHECK_RC(call, want)                                                                 \
    do {                                                                                     \
        cleanclaim_result rc_ = (call);                                                      \
        if (rc_ != (cleanclaim_result)(want)) {                                              \
            fprintf(stderr, "  %s:%d: %s returned %u, want %u (%s)\n", __FILE__, __LINE__,    \
                    #call, (unsigned)rc_, (unsigned)(want), #want);                          \
            current_failed = 1;                                                              \
        }                                                                                    \
    } while (0)

/* Counts and prints the test that just ran, by whether a CHECK failed in it. */
static void record(const char *kind, const char *name) {
    if (current_failed) {
        failed++;
        printf("FAIL %s%s\n", kind, name);
    } else {
        passed++;
        printf("ok   %s%s\n", kind, name);
    }
}

static void run_test(const char *name, void (*fn)(void)) {
    current_failed = 0;
    fn();
    record("", name);
}

#endif
