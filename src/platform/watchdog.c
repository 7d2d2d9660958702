/* sd_notify(3) without libsystemd: the protocol is one datagram of "KEY=VALUE" lines to the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a path, or '@' for the abstract namespace). Done by
 * hand so that the kiosk does not link libsystemd for two messages, and so that the test can
 * hold the other end of a real socket. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "watchdog.h"

#define LOG_MODULE "watchdog"
#include "log.h"

static struct {
    bool loaded;
    bool ready_sent;
    bool warned;
    int64_t interval_ms; /* half of WATCHDOG_USEC; 0: no watchdog for us */
    int64_t last_ms;
} wd;

static void
load(void)
{
    if (wd.loaded)
        return;
    wd.loaded = true;
    const char *usec = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    if (usec == NULL || getenv("NOTIFY_SOCKET") == NULL)
        return;
    char *end = NULL;
    errno = 0;
    unsigned long long us = strtoull(usec, &end, 10);
    if (errno != 0 || end == usec || *end != '\0' || us == 0)
        return;
    if (pid != NULL) {
        long p = strtol(pid, &end, 10);
        /* The service's main process may be the compositor (cage) that started us. */
        if (*end != '\0' || (p != (long)getpid() && p != (long)getppid()))
            return;
    }
    wd.interval_ms = (int64_t)(us / 2000);
    if (wd.interval_ms < 1)
        wd.interval_ms = 1;
}

int64_t
watchdog_interval_ms(void)
{
    load();
    return wd.interval_ms;
}

void
watchdog_reset(void)
{
    memset(&wd, 0, sizeof(wd));
}

bool
watchdog_notify(const char *state)
{
    const char *name = getenv("NOTIFY_SOCKET");
    if (name == NULL || name[0] == '\0')
        return false;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t len = strlen(name);
    if ((name[0] != '/' && name[0] != '@') || len >= sizeof(sa.sun_path)) {
        if (!wd.warned)
            LOG_WARN("NOTIFY_SOCKET is not a socket path; systemd will not hear from us");
        wd.warned = true;
        return false;
    }
    memcpy(sa.sun_path, name, len);
    if (name[0] == '@')
        sa.sun_path[0] = '\0'; /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    socklen_t sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, sl);
    int saved = errno;
    close(fd);
    if (n < 0) {
        if (!wd.warned)
            LOG_WARN("cannot notify systemd: %s", strerror(saved));
        wd.warned = true;
        return false;
    }
    return true;
}

int64_t
watchdog_kick(int64_t now_ms, int64_t wait_ms)
{
    load();
    if (!wd.ready_sent) {
        wd.ready_sent = true;
        wd.last_ms = now_ms;
        watchdog_notify(wd.interval_ms > 0 ? "READY=1\nWATCHDOG=1" : "READY=1");
    } else if (wd.interval_ms > 0 && now_ms - wd.last_ms >= wd.interval_ms) {
        wd.last_ms = now_ms;
        watchdog_notify("WATCHDOG=1");
    }
    if (wd.interval_ms <= 0)
        return wait_ms;
    int64_t due = wd.last_ms + wd.interval_ms - now_ms;
    if (due < 1)
        due = 1;
    return wait_ms < due ? wait_ms : due;
}
