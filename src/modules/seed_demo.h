/* seed_demo.h — `receptionist seed-demo` (seed_demo.c). */
#ifndef MODULES_SEED_DEMO_H
#define MODULES_SEED_DEMO_H

struct app;

/* Creates the demo salon and its two accounts once; a process exit code. */
int seed_demo_cli(struct app *app, int argc, char **argv);

#endif
