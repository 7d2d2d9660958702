/* The sd_notify protocol of src/platform/watchdog.c against a real AF_UNIX datagram socket, as
 * systemd holds it: READY=1 on the first turn of the main loop, WATCHDOG=1 every half interval
 * of $WATCHDOG_USEC and not more often, the abstract namespace, and nothing at all when the
 * watchdog is someone else's or there is no socket. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "test.h"
#include "watchdog.h"

static int
listen_at(const char *name)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t len = strlen(name);
    memcpy(sa.sun_path, name, len);
    if (name[0] == '@')
        sa.sun_path[0] = '\0';
    socklen_t sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sl) != 0) {
        test_fail(__FILE__, __LINE__, "cannot bind %s: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* What arrived since the last call, or "" when nothing is waiting (never blocks). */
static const char *
received(int fd)
{
    static char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static char sock_path[108];

static int
setup(const char *usec, const char *pid)
{
    snprintf(sock_path, sizeof(sock_path), "/tmp/minasidor-notify-%ld", (long)getpid());
    unlink(sock_path);
    int fd = listen_at(sock_path);
    setenv("NOTIFY_SOCKET", sock_path, 1);
    if (usec)
        setenv("WATCHDOG_USEC", usec, 1);
    else
        unsetenv("WATCHDOG_USEC");
    if (pid)
        setenv("WATCHDOG_PID", pid, 1);
    else
        unsetenv("WATCHDOG_PID");
    watchdog_reset();
    return fd;
}

static void
teardown(int fd)
{
    if (fd >= 0)
        close(fd);
    unlink(sock_path);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    watchdog_reset();
}

TEST(ready_first_then_watchdog_every_half_interval)
{
    char pid[32];
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    int fd = setup("4000000", pid); /* WatchdogSec=4 */
    CHECK_INT(2000, watchdog_interval_ms());
    watchdog_kick(1000, 5000);
    CHECK_STR("READY=1\nWATCHDOG=1", received(fd));
    watchdog_kick(1500, 5000);
    watchdog_kick(2999, 5000);
    CHECK_STR("", received(fd));
    watchdog_kick(3000, 5000);
    CHECK_STR("WATCHDOG=1", received(fd));
    watchdog_kick(4000, 5000);
    CHECK_STR("", received(fd));
    watchdog_kick(9000,
                  5000); /* a late turn pings at once, and the next half interval counts from it */
    CHECK_STR("WATCHDOG=1", received(fd));
    watchdog_kick(10999, 5000);
    CHECK_STR("", received(fd));
    teardown(fd);
}

TEST(the_loop_wakes_when_the_next_ping_is_due)
{
    int fd = setup("4000000", NULL);             /* WatchdogSec=4: a ping every 2 s */
    CHECK_INT(2000, watchdog_kick(0, 5000));     /* the start screen would sleep 5 s */
    CHECK_INT(250, watchdog_kick(1000, 250));    /* a shorter wait stays */
    CHECK_INT(500, watchdog_kick(1500, 5000));   /* the ping is due at 2000 */
    CHECK_INT(2000, watchdog_kick(2000, 5000));  /* pinged: the next at 4000 */
    CHECK_INT(1, watchdog_kick(9000, 5000) > 0); /* never a wait of 0 or less */
    teardown(fd);
}

TEST(parent_is_the_main_process_under_cage)
{
    char pid[32];
    snprintf(pid, sizeof(pid), "%ld", (long)getppid());
    int fd = setup("1000000", pid);
    CHECK_INT(500, watchdog_interval_ms());
    watchdog_kick(0, 5000);
    CHECK_STR("READY=1\nWATCHDOG=1", received(fd));
    watchdog_kick(500, 5000);
    CHECK_STR("WATCHDOG=1", received(fd));
    teardown(fd);
}

TEST(another_process_watchdog_gets_ready_only)
{
    int fd = setup("1000000", "1"); /* init's, not ours */
    CHECK_INT(0, watchdog_interval_ms());
    watchdog_kick(0, 5000);
    CHECK_STR("READY=1", received(fd));
    watchdog_kick(100000, 5000);
    CHECK_STR("", received(fd));
    teardown(fd);
}

TEST(no_watchdog_usec_ready_only)
{
    int fd = setup(NULL, NULL);
    CHECK_INT(0, watchdog_interval_ms());
    watchdog_kick(5, 5000);
    CHECK_STR("READY=1", received(fd));
    watchdog_kick(1000000, 5000);
    CHECK_STR("", received(fd));
    CHECK(watchdog_notify("STOPPING=1"));
    CHECK_STR("STOPPING=1", received(fd));
    teardown(fd);
}

TEST(abstract_namespace_socket)
{
    char name[64];
    snprintf(name, sizeof(name), "@minasidor-test-notify-%ld", (long)getpid());
    int fd = listen_at(name);
    setenv("NOTIFY_SOCKET", name, 1);
    setenv("WATCHDOG_USEC", "30000000", 1);
    unsetenv("WATCHDOG_PID");
    watchdog_reset();
    CHECK_INT(15000, watchdog_interval_ms());
    watchdog_kick(0, 5000);
    CHECK_STR("READY=1\nWATCHDOG=1", received(fd));
    if (fd >= 0)
        close(fd);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    watchdog_reset();
}

TEST(without_systemd_nothing_is_sent)
{
    unsetenv("NOTIFY_SOCKET");
    setenv("WATCHDOG_USEC", "1000000", 1);
    watchdog_reset();
    CHECK_INT(0, watchdog_interval_ms());
    CHECK(!watchdog_notify("READY=1"));
    CHECK_INT(5000, watchdog_kick(0, 5000)); /* no watchdog: the loop waits as it would */
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    watchdog_reset();
    CHECK(!watchdog_notify("READY=1"));
    setenv("NOTIFY_SOCKET", "/nonexistent/minasidor/notify", 1);
    CHECK(!watchdog_notify("READY=1"));
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    watchdog_reset();
}

TEST(bad_watchdog_usec_means_no_watchdog)
{
    int fd = setup("30s", NULL);
    CHECK_INT(0, watchdog_interval_ms());
    teardown(fd);
    fd = setup("0", NULL);
    CHECK_INT(0, watchdog_interval_ms());
    teardown(fd);
}

int
main(void)
{
    RUN(ready_first_then_watchdog_every_half_interval);
    RUN(the_loop_wakes_when_the_next_ping_is_due);
    RUN(parent_is_the_main_process_under_cage);
    RUN(another_process_watchdog_gets_ready_only);
    RUN(no_watchdog_usec_ready_only);
    RUN(abstract_namespace_socket);
    RUN(without_systemd_nothing_is_sent);
    RUN(bad_watchdog_usec_means_no_watchdog);
    return test_done();
}
