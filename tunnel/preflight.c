// SPDX-License-Identifier: MIT
#include "preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "rtnl.h"
#include "uplink.h"

typedef void (*check_fn)(const struct mt6d_config *cfg, struct preflight_item *it);

static void say(struct preflight_item *it, enum preflight_verdict v, const char *fix,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void say(struct preflight_item *it, enum preflight_verdict v, const char *fix,
		const char *fmt, ...)
{
	va_list ap;

	it->verdict = v;
	va_start(ap, fmt);
	vsnprintf(it->found, sizeof(it->found), fmt, ap);
	va_end(ap);
	snprintf(it->fix, sizeof(it->fix), "%s", fix ? fix : "");
}

/* Reads a small integer from /proc/sys; -1 when absent. */
static int read_sysctl(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC), v = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0 && sscanf(buf, "%d", &v) != 1)
		v = -1;
	return v;
}

static int sctp_module_exists(void)
{
	struct utsname u;
	char path[256];

	if (uname(&u) < 0)
		return 0;
	snprintf(path, sizeof(path), "/lib/modules/%s/kernel/net/sctp", u.release);
	return access(path, F_OK) == 0;
}

static void check_sctp(const struct mt6d_config *cfg, struct preflight_item *it)
{
	int fd = socket(AF_INET6, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);

	if (fd >= 0) {
		close(fd);
		say(it, PREFLIGHT_OK, NULL, "kernel SCTP available");
	} else if (errno != EPROTONOSUPPORT && errno != ESOCKTNOSUPPORT) {
		say(it, PREFLIGHT_FAIL, "run mt6d-tunnel as root or with CAP_NET_ADMIN",
		    "cannot open an SCTP socket: %s", strerror(errno));
	} else if (sctp_module_exists()) {
		say(it, PREFLIGHT_FAIL,
		    "modprobe sctp; if that fails, remove the blacklist in /etc/modprobe.d",
		    "the sctp module is installed but not loaded (blacklisted?)");
	} else {
		say(it, PREFLIGHT_FAIL,
		    "boot a kernel with SCTP (CONFIG_IP_SCTP), e.g. Debian's linux-image-amd64",
		    "this kernel has no SCTP: neither built in nor available as a module");
	}
}

/* SCTP sysctls the defence depends on: a table, one row each. */
static const struct sctp_sysctl {
	const char *name; /* under net.sctp. */
	int want;
	enum preflight_verdict otherwise;
	const char *why; /* what the other value means */
} sctp_sysctls[] = {
	{ "auth_enable", 1, PREFLIGHT_FAIL,
	  "makes the kernel discard an authenticated COOKIE-ECHO, which mt6d requires (a "
	  "forged INIT and COOKIE-ECHO could otherwise restart the association)" },
	{ "addip_noauth_enable", 0, PREFLIGHT_FAIL,
	  "accepts unauthenticated ASCONF: anyone could move the association" },
	{ "default_auto_asconf", 0, PREFLIGHT_WARN,
	  "mt6d turns it off on its socket, but other SCTP sockets here announce every "
	  "address of the host" },
};

static void check_sctp_sysctl(const struct sctp_sysctl *sc, struct preflight_item *it)
{
	char path[128], fix[160];
	int v;

	snprintf(path, sizeof(path), "/proc/sys/net/sctp/%s", sc->name);
	snprintf(fix, sizeof(fix),
		 "sysctl -w net.sctp.%s=%d (in this network namespace; "
		 "mt6d installs sysctl.d/mt6d.conf for the host's)",
		 sc->name, sc->want);
	v = read_sysctl(path);
	if (v < 0)
		say(it, PREFLIGHT_WARN, "load SCTP first (see the sctp line)",
		    "net.sctp.%s cannot be read without SCTP", sc->name);
	else if (v != sc->want)
		say(it, sc->otherwise, fix, "net.sctp.%s=%d %s", sc->name, v, sc->why);
	else
		say(it, PREFLIGHT_OK, NULL, "net.sctp.%s=%d", sc->name, v);
}

static void check_cookie_auth(const struct mt6d_config *cfg, struct preflight_item *it)
{
	check_sctp_sysctl(&sctp_sysctls[0], it);
}

static void check_noauth(const struct mt6d_config *cfg, struct preflight_item *it)
{
	check_sctp_sysctl(&sctp_sysctls[1], it);
}

static void check_auto_asconf(const struct mt6d_config *cfg, struct preflight_item *it)
{
	check_sctp_sysctl(&sctp_sysctls[2], it);
}

int preflight_sctp_auth(struct preflight_item *it)
{
	for (size_t i = 0; i < sizeof(sctp_sysctls) / sizeof(sctp_sysctls[0]); i++) {
		memset(it, 0, sizeof(*it));
		it->name = sctp_sysctls[i].name;
		check_sctp_sysctl(&sctp_sysctls[i], it);
		if (it->verdict == PREFLIGHT_FAIL)
			return -EPERM;
	}
	return 0;
}

static void check_clock(const struct mt6d_config *cfg, struct preflight_item *it)
{
	struct timex tx = { 0 };
	int state = adjtimex(&tx);

	if (state == TIME_ERROR || (tx.status & STA_UNSYNC))
		say(it, PREFLIGHT_FAIL, "enable time synchronisation (systemd-timesyncd or chrony)",
		    "the clock is not synchronised; both gateways must agree to within half a "
		    "rotation interval");
	else
		say(it, PREFLIGHT_OK, NULL, "clock synchronised (estimated error %ld us)",
		    tx.esterror);
}

static int have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return !!(data[cap / 32].effective & (1u << (cap % 32)));
}

static void check_caps(const struct mt6d_config *cfg, struct preflight_item *it)
{
	int admin = have_cap(CAP_NET_ADMIN), ptrace = have_cap(CAP_SYS_PTRACE);
	int scope = read_sysctl("/proc/sys/kernel/yama/ptrace_scope");

	if (!admin || !ptrace)
		say(it, PREFLIGHT_FAIL, "run as root, or use the systemd units",
		    "missing %s%s%s (mt6d-tunnel needs CAP_NET_ADMIN, mt6d-addrmgr also "
		    "CAP_SYS_PTRACE)",
		    admin ? "" : "CAP_NET_ADMIN", !admin && !ptrace ? " and " : "",
		    ptrace ? "" : "CAP_SYS_PTRACE");
	else if (scope >= 3)
		say(it, PREFLIGHT_FAIL,
		    "set kernel.yama.ptrace_scope to 2 or less (needs a reboot)",
		    "kernel.yama.ptrace_scope=3 forbids pidfd_getfd(): mt6d-addrmgr cannot reach "
		    "the tunnel's socket");
	else
		say(it, PREFLIGHT_OK, NULL, "CAP_NET_ADMIN and CAP_SYS_PTRACE present");
}

static void check_tun(const struct mt6d_config *cfg, struct preflight_item *it)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		say(it, PREFLIGHT_OK, NULL, "/dev/net/tun usable");
	} else {
		say(it, PREFLIGHT_FAIL, "modprobe tun", "cannot open /dev/net/tun: %s",
		    strerror(errno));
	}
}

static void check_ipv6(const struct mt6d_config *cfg, struct preflight_item *it)
{
	int v = read_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6");

	if (v < 0)
		say(it, PREFLIGHT_FAIL, "boot without ipv6.disable=1", "IPv6 is not available");
	else if (v)
		say(it, PREFLIGHT_FAIL, "sysctl -w net.ipv6.conf.all.disable_ipv6=0",
		    "IPv6 is disabled");
	else
		say(it, PREFLIGHT_OK, NULL, "IPv6 enabled");
}

static void check_uplink(const struct mt6d_config *cfg, struct preflight_item *it)
{
	struct in6_addr prefix;
	struct mt6d_rtnl *nl;
	int ifindex, ret = 0;
	char buf[INET6_ADDRSTRLEN], ok[256] = "", what[64];
	size_t i, used = 0;

	if (!cfg) {
		say(it, PREFLIGHT_WARN, "fix the configuration first", "uplink not checked");
		return;
	}
	ret = mt6d_rtnl_open(&nl);
	if (ret < 0) {
		say(it, PREFLIGHT_FAIL, NULL, "rtnetlink: %s", strerror(-ret));
		return;
	}
	for (i = 0; i < cfg->n_uplinks && !ret; i++) {
		const struct mt6d_uplink *u = &cfg->uplinks[i];

		ret = mt6d_uplink_resolve(nl, u, &ifindex, &prefix);
		mt6d_uplink_describe(u, what, sizeof(what));
		if (ret == -ENODEV)
			say(it, PREFLIGHT_FAIL,
			    u->name[0] ? "set its interface to an existing one"
				       : "set [local] interface to an existing uplink",
			    "%s does not exist", what);
		else if (ret == -ENOENT)
			say(it, PREFLIGHT_FAIL,
			    u->name[0] ? "set its prefix, or give the interface a global /64"
				       : "set [local] prefix, or give the uplink a global /64",
			    "%s has no global /64 and %s is not set", what,
			    u->name[0] ? "its prefix" : "[local] prefix");
		else if (ret < 0)
			say(it, PREFLIGHT_FAIL, NULL, "%s: %s", what, strerror(-ret));
		else if (used < sizeof(ok))
			used += (size_t)snprintf(ok + used, sizeof(ok) - used,
						 "%s%s present, hashed addresses in %s/64",
						 i ? "; " : "", what,
						 inet_ntop(AF_INET6, &prefix, buf, sizeof(buf)));
	}
	mt6d_rtnl_close(nl);
	if (!ret)
		say(it, PREFLIGHT_OK, NULL, "%s", ok);
}

static const struct {
	const char *name;
	check_fn fn;
} checks[] = {
	{ "sctp", check_sctp },
	{ "cookie-auth", check_cookie_auth },
	{ "asconf-auth", check_noauth },
	{ "auto-asconf", check_auto_asconf },
	{ "clock", check_clock },
	{ "capabilities", check_caps },
	{ "tun", check_tun },
	{ "ipv6", check_ipv6 },
	{ "uplink", check_uplink },
};

size_t preflight_run(const struct mt6d_config *cfg, struct preflight_item *items, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) && n < max; i++, n++) {
		memset(&items[n], 0, sizeof(items[n]));
		items[n].name = checks[i].name;
		checks[i].fn(cfg, &items[n]);
	}
	return n;
}
