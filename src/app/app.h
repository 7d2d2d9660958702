/* The program's entry: global options, then one subcommand. */
#ifndef MINASIDOR_APP_H
#define MINASIDOR_APP_H

#include <stdio.h>

/* Exit codes shared by every subcommand. */
enum app_exit {
    APP_EXIT_OK = 0,
    APP_EXIT_INVALID = 1, /* the command ran; an input was invalid or a check failed */
    APP_EXIT_USAGE = 2,   /* bad command line */
};

struct app_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
    void (*usage)(FILE *out);
};

int app_main(int argc, char **argv);

/* Prints "minasidor: <message>" and a hint to stderr; returns APP_EXIT_USAGE. */
int app_usage_error(void (*usage)(FILE *out), const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Subcommands, each in its own cmd_*.c. */
int cmd_tool(int argc, char **argv);
void cmd_tool_usage(FILE *out);
int cmd_provision(int argc, char **argv);
void cmd_provision_usage(FILE *out);
int cmd_sync(int argc, char **argv);
int cmd_identify(int argc, char **argv);
void cmd_identify_usage(FILE *out);
void cmd_sync_usage(FILE *out);
int cmd_doctor(int argc, char **argv);
void cmd_doctor_usage(FILE *out);
int cmd_kiosk(int argc, char **argv);
void cmd_kiosk_usage(FILE *out);

#endif
