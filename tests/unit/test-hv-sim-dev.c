/* SPDX-License-Identifier: MIT */
/*
 * test-hv-sim-dev.c - hv-sim's simulated kernel device layer: registration handshakes and
 * their size checks for each service, one message at a time, short read buffers, timeouts
 * with a short override, reset on close answering the host HV_E_FAIL, driver reload and
 * the hibernation hooks.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "sim_dev.h"
#include "tap.h"

static uint8_t buf[SIM_MSG_MAX];

/* A registered device of the service, opened and handshaken like the reference daemons. */
static struct sim_dev *registered(enum sim_service s)
{
	struct sim_dev *dev = sim_dev_new(s);
	struct hv_kvp_msg kvp = { 0 };
	struct hv_vss_msg vss = { 0 };
	uint32_t ver = FCOPY_VERSION_1;

	if (!dev || sim_dev_open(dev) < 0)
		return dev;
	kvp.kvp_hdr.operation = KVP_OP_REGISTER1;
	vss.vss_hdr.operation = VSS_OP_REGISTER1;
	if (s == SIM_KVP)
		(void)sim_dev_write(dev, &kvp, sizeof(kvp));
	else if (s == SIM_VSS)
		(void)sim_dev_write(dev, &vss, sizeof(vss));
	else
		(void)sim_dev_write(dev, &ver, sizeof(ver));
	(void)sim_dev_read(dev, buf, sizeof(buf));
	return dev;
}

/* clang-format off */
static const struct {
	const char *name;
	enum sim_service service;
	uint8_t first;   /* operation byte / version value */
	size_t len;      /* bytes written */
	int want;        /* write() result: len or -errno */
	size_t reply;    /* bytes of the registration reply, 0 for none */
	bool ready;      /* READY right after the write (no reply to read) */
} regs[] = {
	{ "kvp op 100, 7432 bytes",   SIM_KVP, 100, 7432, 7432, 7432, false },
	{ "kvp legacy op 4",          SIM_KVP, 4,   7432, 7432, 7432, false },
	{ "kvp longer write ok",      SIM_KVP, 100, 8000, 8000, 7432, false },
	{ "kvp 7431 bytes",           SIM_KVP, 100, 7431, -EINVAL, 0, false },
	{ "kvp 12 bytes",             SIM_KVP, 100, 12,   -EINVAL, 0, false },
	{ "kvp op 0 before register", SIM_KVP, 0,   7432, -EINVAL, 0, false },
	{ "kvp op 101",               SIM_KVP, 101, 7432, -EINVAL, 0, false },
	{ "vss op 129, 12 bytes",     SIM_VSS, 129, 12,   12, 4, false },
	{ "vss legacy op 128",        SIM_VSS, 128, 12,   12, 0, true },
	{ "vss 13 bytes",             SIM_VSS, 129, 13,   -EINVAL, 0, false },
	{ "vss 11 bytes",             SIM_VSS, 129, 11,   -EINVAL, 0, false },
	{ "vss 7432 bytes",           SIM_VSS, 129, 7432, -EINVAL, 0, false },
	{ "vss op 5 before register", SIM_VSS, 5,   12,   -EINVAL, 0, false },
	{ "fcopy version 1",          SIM_FCOPY, 1, 4,    4, 4, false },
	{ "fcopy version 0",          SIM_FCOPY, 0, 4,    4, 0, true },
	{ "fcopy version 2",          SIM_FCOPY, 2, 4,    -EINVAL, 0, false },
	{ "fcopy 8 bytes",            SIM_FCOPY, 1, 8,    -EINVAL, 0, false },
	{ "fcopy 3 bytes",            SIM_FCOPY, 1, 3,    -EINVAL, 0, false },
};
/* clang-format on */

static void test_registration(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		struct sim_dev *dev = sim_dev_new(regs[i].service);
		uint8_t msg[8192] = { 0 };
		uint32_t v;
		int r;

		CHECK_INT(sim_dev_open(dev), 0, "%s: open", regs[i].name);
		if (regs[i].service == SIM_FCOPY) {
			v = regs[i].first;
			memcpy(msg, &v, sizeof(v));
		} else {
			msg[0] = regs[i].first;
		}
		r = sim_dev_write(dev, msg, regs[i].len);
		CHECK_INT(r, regs[i].want, "%s: write result", regs[i].name);
		if (r < 0) {
			CHECK_INT(dev->rejected, 1, "%s: counted as rejected", regs[i].name);
			CHECK_INT(dev->last_write_error, r, "%s: errno recorded", regs[i].name);
			CHECK_INT(dev->state, SIM_ST_INIT, "%s: still INIT", regs[i].name);
			CHECK_INT(sim_dev_poll(dev), 0, "%s: nothing to read", regs[i].name);
			sim_dev_free(dev);
			continue;
		}
		if (regs[i].ready) {
			CHECK_INT(dev->state, SIM_ST_READY, "%s: READY without a reply",
				  regs[i].name);
			CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), -EAGAIN, "%s: no reply",
				  regs[i].name);
			sim_dev_free(dev);
			continue;
		}
		CHECK_INT(dev->state, SIM_ST_INIT, "%s: INIT until the reply is read",
			  regs[i].name);
		CHECK_INT(sim_dev_poll(dev), POLLIN | POLLRDNORM, "%s: reply pollable",
			  regs[i].name);
		CHECK_INT(sim_dev_read(dev, buf, regs[i].reply - 1), -EINVAL,
			  "%s: short read buffer refused", regs[i].name);
		CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), (int)regs[i].reply,
			  "%s: reply of %zu bytes", regs[i].name, regs[i].reply);
		CHECK_INT(dev->state, SIM_ST_READY, "%s: READY once read", regs[i].name);
		CHECK_INT(dev->version, regs[i].first, "%s: version recorded", regs[i].name);
		if (regs[i].service == SIM_KVP) {
			const struct hv_kvp_msg *m = (const void *)buf;

			CHECK_INT(m->kvp_hdr.operation, regs[i].first, "%s: reply op",
				  regs[i].name);
			CHECK_STR((const char *)m->body.kvp_register.version, "3.1",
				  "%s: version string", regs[i].name);
		} else {
			memcpy(&v, buf, sizeof(v));
			CHECK_INT(v, regs[i].service == SIM_VSS ? 129 : 1, "%s: reply value",
				  regs[i].name);
		}
		sim_dev_free(dev);
	}
}

static void test_request_cycle(void)
{
	struct sim_dev *dev = registered(SIM_KVP);
	struct hv_kvp_msg req = { 0 }, reply = { 0 };
	int32_t cont = (int32_t)HV_S_CONT;

	CHECK_INT(dev->state, SIM_ST_READY, "kvp registered");
	CHECK_INT(dev->registrations, 1, "one registration");
	req.kvp_hdr.operation = KVP_OP_GET;
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 1000, 0), 0, "request sent");
	CHECK(dev->req_active, "request outstanding");
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 1000, 0), -EBUSY,
		  "one host request at a time");
	CHECK_INT(sim_dev_write(dev, &reply, sizeof(reply)), sizeof(reply),
		  "a reply before the read is taken (state USERSPACE_REQ)");
	CHECK_INT(dev->outcome, SIM_OUT_REPLY, "outcome reply");
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), 7432, "the request is still readable");

	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 1000, 0), 0, "second request sent");
	CHECK_INT(sim_dev_read(dev, buf, 100), -EINVAL, "read buffer too small: EINVAL");
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), 7432, "...and the message stays");
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), -EAGAIN, "one message per read");
	CHECK_INT(sim_dev_write(dev, &reply, 7000), -EINVAL, "short reply refused");
	CHECK(dev->req_active, "still outstanding after a bad reply");
	memcpy(&reply, &cont, sizeof(cont));
	CHECK_INT(sim_dev_write(dev, &reply, sizeof(reply)), sizeof(reply), "reply accepted");
	CHECK_INT(dev->status, HV_S_CONT, "the daemon's error is the host's status");
	CHECK_INT(dev->outcome, SIM_OUT_REPLY, "outcome reply");
	CHECK_INT(dev->state, SIM_ST_READY, "back to READY");
	CHECK_INT(sim_dev_write(dev, &reply, sizeof(reply)), -EINVAL,
		  "a reply with nothing outstanding: EINVAL");
	sim_dev_free(dev);
}

static void test_timeouts(void)
{
	struct sim_dev *dev = registered(SIM_VSS);
	struct hv_vss_msg req = { 0 }, reply = { 0 };

	req.vss_hdr.operation = VSS_OP_FREEZE;
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 50, 1000), 0, "freeze sent, 50 ms timer");
	CHECK_INT(sim_dev_deadline(dev), 1050, "deadline");
	CHECK(!sim_dev_tick(dev, 1049), "not yet at 49 ms");
	CHECK(sim_dev_tick(dev, 1050), "fires at 50 ms");
	CHECK_INT(dev->outcome, SIM_OUT_TIMEOUT, "outcome timeout");
	CHECK_INT(dev->status, HV_E_FAIL, "host gets HV_E_FAIL");
	CHECK_INT(dev->state, SIM_ST_READY, "back to READY");
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), 12, "the stale request is still read");
	CHECK_INT(sim_dev_write(dev, &reply, sizeof(reply)), -EINVAL, "the late reply: EINVAL");
	CHECK_INT(dev->rejected, 1, "counted");

	/* a message still unread when the next request comes: the kernel's send fails */
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 50, 2000), 0, "sent");
	CHECK(sim_dev_tick(dev, 2050), "timed out unread");
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 50, 3000), 0, "next request");
	CHECK_INT(dev->outcome, SIM_OUT_SENDFAIL, "answered at once: the send failed");
	CHECK_INT(dev->status, HV_E_FAIL, "HV_E_FAIL");
	sim_dev_free(dev);
}

static void test_close_and_reset(void)
{
	struct sim_dev *dev = registered(SIM_KVP);
	struct hv_kvp_msg req = { 0 };

	req.kvp_hdr.operation = KVP_OP_SET;
	CHECK_INT(sim_dev_open(dev), -EBUSY, "second opener: EBUSY");
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 1000, 0), 0, "request sent");
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), 7432, "daemon read it");
	sim_dev_close(dev);
	CHECK_INT(dev->outcome, SIM_OUT_RESET, "close answers the pending request: reset");
	CHECK_INT(dev->status, HV_E_FAIL, "...with HV_E_FAIL");
	CHECK_INT(dev->state, SIM_ST_INIT, "state back to INIT");
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 1000, 0), 0, "request with nobody");
	CHECK_INT(dev->outcome, SIM_OUT_NODAEMON, "no daemon: answered at once");
	CHECK_INT(sim_dev_open(dev), 0, "reopen");
	CHECK_INT(sim_dev_write(dev, &req, sizeof(req)), -EINVAL, "must register again");
	sim_dev_free(dev);

	dev = registered(SIM_KVP);
	CHECK_INT(sim_dev_request(dev, &req, sizeof(req), 1000, 0), 0, "request sent");
	sim_dev_reset(dev);
	CHECK_INT(dev->outcome, SIM_OUT_RESET, "driver reload answers HV_E_FAIL");
	CHECK(dev->dead, "transport gone");
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), -EBADF, "read: EBADF");
	CHECK_INT(sim_dev_write(dev, &req, sizeof(req)), -EBADF, "write: EBADF");
	CHECK_INT(sim_dev_poll(dev), POLLERR | POLLHUP, "poll: POLLERR|POLLHUP");
	CHECK_INT(sim_dev_open(dev), -EBUSY, "still held by the old opener");
	sim_dev_close(dev);
	CHECK_INT(sim_dev_open(dev), 0, "after close: a fresh device");
	CHECK_INT(sim_dev_poll(dev), 0, "poll: nothing");
	CHECK_INT(dev->state, SIM_ST_INIT, "INIT");
	sim_dev_free(dev);
}

static void test_hibernate(void)
{
	struct sim_dev *dev = registered(SIM_VSS);
	struct hv_vss_msg reply = { 0 };
	struct hv_fcopy_hdr *fc = (void *)buf;
	int32_t ok = 0;

	sim_dev_hibernate(dev);
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), 12, "vss: a fake message queued");
	CHECK_INT(buf[0], VSS_OP_THAW, "vss: it is a THAW");
	CHECK_INT(sim_dev_write(dev, &reply, sizeof(reply)), -EINVAL, "vss: its reply fails");
	sim_dev_free(dev);

	dev = registered(SIM_FCOPY);
	sim_dev_hibernate(dev);
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), 36, "fcopy: a fake header queued");
	CHECK_INT(fc->operation, CANCEL_FCOPY, "fcopy: it is a CANCEL");
	CHECK_INT(sim_dev_write(dev, &ok, sizeof(ok)), -EINVAL, "fcopy: its reply fails");
	sim_dev_free(dev);

	dev = registered(SIM_KVP);
	sim_dev_hibernate(dev);
	CHECK_INT(sim_dev_read(dev, buf, sizeof(buf)), -EAGAIN, "kvp: nothing queued");
	CHECK_INT(dev->state, SIM_ST_READY, "kvp: READY");
	sim_dev_free(dev);
}

static void test_names(void)
{
	uint32_t st;

	CHECK_INT(sim_status_parse("HV_E_FAIL", &st), 0, "status name");
	CHECK_INT(st, 0x80004005u, "HV_E_FAIL value");
	CHECK_INT(sim_status_parse("0x80070103", &st), 0, "status number");
	CHECK_STR(sim_status_name(st), "HV_S_CONT", "number to name");
	CHECK_INT(sim_status_parse("HV_BOGUS", &st), -EINVAL, "unknown name refused");
	CHECK_INT(sim_status_parse("0x1ffffffff", &st), -EINVAL, "over 32 bits refused");
	CHECK_INT(sim_service_parse("fcopy"), SIM_FCOPY, "service name");
	CHECK_STR(sim_service_devname(SIM_VSS), "hv_vss", "device name");
}

int main(void)
{
	test_registration();
	test_request_cycle();
	test_timeouts();
	test_close_and_reset();
	test_hibernate();
	test_names();
	return tap_done();
}
