/*
 * ocspbox's connection gate for civetweb (Linux: epoll and eventfd).
 *
 * civetweb gives each connection a worker thread for as long as it stays
 * open, so a handful of clients that send nothing, send a header a byte at
 * a time, trickle a body, idle between keep-alive requests or never read
 * their answers hold every worker and everyone else waits. The gate puts
 * the master thread between the two: every connection that has no
 * complete request yet (just accepted, between keep-alive requests, or
 * mid-request) is parked in one epoll set, what it sends is read into a
 * buffer of its own, and it goes to a worker only once the whole request,
 * head and body, is in. An answer the client does not take at once is
 * handed back with its connection, and the gate sends the rest as the
 * client reads. A worker never waits on a client, so N slow clients cost N
 * small buffers, not N workers.
 *
 * A request the program can answer at once (a cached OCSP answer) it
 * answers on the gate's own thread through the fn set by
 * mg_set_gate_answer, and the connection stays parked: no worker, no
 * hand-over. Everything else goes to a worker as above.
 *
 * The gate is one loop per core (GATE_LOOPS_MAX at most): the master
 * thread runs the first and starts the others. Each loop has its own
 * epoll set, with the listeners in all of them (EPOLLEXCLUSIVE: a new
 * connection wakes one), and a connection stays with the loop that
 * accepted it; a worker hands it back to that loop. The limits
 * (max_connections, request_buffer_budget) count the connections and
 * bytes of all loops; a loop over one makes room among its own.
 *
 * It also checks the request's framing before civetweb parses it
 * (gate_scan.inl), and answers what civetweb would have got wrong (RFC
 * 9112): more header fields than civetweb keeps, obsolete line folding,
 * Transfer-Encoding with Content-Length, differing Content-Lengths, sizes
 * past the limits; it sends "100 Continue" as soon as a head that asks for
 * it is in.
 *
 * Deadlines (CLOCK_MONOTONIC): a new connection that has sent nothing is
 * closed after first_byte_timeout_ms; one idle between keep-alive requests
 * after keep_alive_timeout_ms; a request whose first byte came
 * request_timeout_ms ago and is still not complete gets 408; an answer
 * not taken within GATE_FLUSH_NS is dropped with its connection. At
 * max_connections parked, or past request_buffer_budget bytes buffered in
 * all (requests read, answers not yet taken), the connection parked
 * longest is closed to make room.
 *
 * Included by civetweb.c (third_party/civetweb/0003-connection-gate.patch);
 * every function here runs on a loop's thread, on that loop (gate_self),
 * except gate_init, gate_drain and gate_free (civetweb's start and stop),
 * gate_load, gate_keep, gate_return, gate_close_later and mg_write_gated
 * (workers) and mg_get_gate_stats and mg_set_gate_answer (any thread).
 */
#if !defined(__linux__)
#error "the ocspbox gate needs Linux (epoll, eventfd)"
#endif
#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* How long a worker waits on a keep-alive connection for its next request
 * while no other request waits for a worker, before parking it (not at
 * all after a request the program's fn left to it for this once). */
#define GATE_LINGER_NS (20 * 1000000ULL)
/* How long a worker keeps writing an answer while its client takes it,
 * before the gate sends the rest: a client that reads keeps up within it,
 * one that does not costs a worker no more. */
#define GATE_WRITE_WAIT_NS (2 * 1000000ULL)
/* How often deadlines are checked. */
#define GATE_TICK_NS (100 * 1000000ULL)
/* How long a connection answered with an error is drained before close. */
#define GATE_DRAIN_NS (2000 * 1000000ULL)
/* How long a client may take to read one answer the gate holds. */
#define GATE_FLUSH_NS (30 * 1000000000ULL)
/* Bytes a parked connection's buffer starts with, on its first read. */
#define GATE_BUF_FIRST 1024
/* The most a worker reads at once looking for a client's next request:
 * what it has read and not answered goes back to the gate with it. */
#define GATE_WORKER_READ 4096
/* Each connection's kernel buffers (set on the listeners, inherited):
 * without a cap the kernel grows them to megabytes for a client that
 * never reads, or sends far ahead. What does not fit waits in the gate,
 * counted in the budget, or with the client. */
#define GATE_SOCKBUF (64 * 1024)
/* Epoll events taken per wait. */
#define GATE_EVENTS 256
/* The most loops (threads), whatever the number of cores. */
#define GATE_LOOPS_MAX 8
/* The largest answer the program's fn may write here (mg_set_gate_answer);
 * a larger one goes through a worker. */
#define GATE_ANSWER_MAX (16 * 1024)

#include "gate_scan.inl" /* the request scanner, pure */

/* A parked connection; only the master thread touches one. */
struct gate_conn {
	struct socket so;
	struct gate_conn *prev, *next; /* parked, oldest first */
	char *buf;                     /* what it sent, not yet answered */
	int len, cap;
	char *out; /* an answer, or its end, the client has not taken yet */
	int out_len, out_off;
	struct gate_scan sc;     /* of the request in buf */
	uint64_t since;          /* parked at */
	uint64_t started;        /* first byte of the request under way; 0 */
	unsigned char kept;      /* parked after an answered request */
	unsigned char continued; /* "100 Continue" sent for this request */
	unsigned char closing;   /* answered an error: drained, then closed */
	unsigned char close_after; /* close once out is taken */
	unsigned char ready;     /* complete, waiting for room in the queue */
	unsigned char later;     /* on the loop's later list (gate_later) */
	int later_op;            /* how to arm it then */
	struct gate_conn *later_next;
};

struct gate;

/* What the loops share; the first loop is ctx->gate, and each loop's all
 * points here. */
struct gate_all {
	unsigned nloops;
	struct gate *loop[GATE_LOOPS_MAX];
	pthread_t thread[GATE_LOOPS_MAX]; /* of loops 1.., when started[] */
	int started[GATE_LOOPS_MAX];

	/* mg_set_gate_answer: fn (atomic), done and their argument. */
	mg_gate_answer_fn answer;
	mg_gate_done_fn answer_done;
	void *answer_user;

	/* Atomics. */
	long long parked;   /* connections parked in all loops */
	long long buffered; /* their bytes: requests and answers */
	int waiting;        /* requests queued for a worker */
	long long queued;   /* their bytes, counted in the budget */
	struct mg_gate_stats st;
};

/* One loop; only its own thread touches it, but for mu and returned. */
struct gate {
	struct gate_all *all;
	struct mg_context *ctx;
	unsigned idx; /* in all->loop */
	int ep;   /* epoll: listeners, the wake eventfd, parked connections */
	int wake; /* eventfd: a worker returned a connection */
	struct gate_conn *head, *tail;
	unsigned n;      /* parked here */
	unsigned nready; /* parked with a complete request (queue full) */
	size_t buffered; /* bytes of requests and answers parked here */
	uint64_t next_tick;
	int paused; /* listeners out of the epoll set: no descriptors left */

	/* Settings, from the context's configuration (the same in every
	 * loop; max_conns and budget count all loops). */
	uint64_t first_byte_ns, request_ns, keep_alive_ns;
	long long max_conns;
	long long budget;
	int head_max, body_max;
	int buf_max; /* one whole request: a worker's buffer */

	/* Closed or handed over during one batch of epoll events: freed
	 * after it, since a later event of the batch may still name one. */
	struct gate_conn *dead;
	/* Read from during the batch, to step once all reads are done. */
	struct gate_conn *later;

	/* Workers hand connections back here. */
	pthread_mutex_t mu;
	struct gate_conn *returned;

	/* The buffer mg_set_gate_answer's fn writes its answer into
	 * (GATE_ANSWER_MAX bytes). */
	char *abuf;

	size_t trim_mark; /* bytes held when memory was last given back */

	/* epoll_data.ptr of the listeners and of the eventfd */
	char tag_listen[64];
	char tag_wake;
};


static int accept_new_connection(const struct socket *listener,
                                 struct mg_context *ctx);

/* The loop this thread runs; NULL on other threads. */
static __thread struct gate *gate_self;


static uint64_t
gate_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}


static void
gate_count(long long *c, long long d)
{
	__atomic_add_fetch(c, d, __ATOMIC_RELAXED);
}


/* Bytes parked in g, d more (or fewer), here and in all loops. */
static void
gate_held(struct gate *g, long long d)
{
	g->buffered = (size_t)((long long)g->buffered + d);
	gate_count(&g->all->buffered, d);
}


static int
gate_conf(struct mg_context *ctx, int opt)
{
	const char *s = ctx->dd.config[opt];

	if (s == NULL) {
		s = config_options[opt].default_value;
	}
	return (s != NULL) ? atoi(s) : 0;
}


/* Frees loop g (not its connections); NULL is a no-op. */
static void
gate_loop_free(struct gate *g)
{
	if (g == NULL) {
		return;
	}
	if (g->ep >= 0) {
		close(g->ep);
	}
	if (g->wake >= 0) {
		close(g->wake);
	}
	pthread_mutex_destroy(&g->mu);
	mg_free(g->abuf);
	mg_free(g);
}


/*
 * Sets up ctx->gate from the configuration: one loop per core online, at
 * most GATE_LOOPS_MAX. 0, or -1 (errno set).
 */
static int
gate_init(struct mg_context *ctx)
{
	struct gate_all *all;
	struct gate tmpl, *g;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned i;
	int v;

	memset(&tmpl, 0, sizeof(tmpl));
	v = gate_conf(ctx, REQUEST_TIMEOUT);
	tmpl.request_ns = (uint64_t)((v > 0) ? v : 5000) * 1000000ULL;
	v = gate_conf(ctx, KEEP_ALIVE_TIMEOUT);
	tmpl.keep_alive_ns = (uint64_t)((v > 0) ? v : 500) * 1000000ULL;
	v = gate_conf(ctx, FIRST_BYTE_TIMEOUT);
	tmpl.first_byte_ns = (uint64_t)((v > 0) ? v : 2000) * 1000000ULL;
	v = gate_conf(ctx, MAX_CONNECTIONS);
	tmpl.max_conns = (v > 0) ? v : 1;
	v = gate_conf(ctx, REQUEST_BUFFER_BUDGET);
	tmpl.budget = (v > 0) ? v : 1;
	tmpl.head_max = (int)ctx->max_request_size;
	v = gate_conf(ctx, MAX_REQUEST_BODY);
	tmpl.body_max = (v >= 0) ? v : 0;
	if (tmpl.body_max > (1 << 28)) {
		tmpl.body_max = 1 << 28;
	}
	tmpl.buf_max = tmpl.head_max + 2 * tmpl.body_max + 64;
	if ((all = (struct gate_all *)mg_calloc(1, sizeof(*all))) == NULL) {
		return -1;
	}
	all->nloops = (cores < 1) ? 1
	              : (cores > GATE_LOOPS_MAX) ? GATE_LOOPS_MAX
	                                         : (unsigned)cores;
	tmpl.all = all;
	tmpl.ctx = ctx;
	tmpl.ep = tmpl.wake = -1;
	for (i = 0; i < all->nloops; i++) {
		if ((g = (struct gate *)mg_malloc(sizeof(*g))) == NULL) {
			break;
		}
		*g = tmpl;
		g->idx = i;
		if (((g->abuf = (char *)mg_malloc(GATE_ANSWER_MAX)) == NULL)
		    || (pthread_mutex_init(&g->mu, NULL) != 0)) {
			mg_free(g->abuf);
			mg_free(g);
			break;
		}
		all->loop[i] = g;
		if (((g->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		    || ((g->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)) {
			break;
		}
	}
	if (i < all->nloops) {
		for (i = 0; i < all->nloops; i++) {
			gate_loop_free(all->loop[i]);
		}
		mg_free(all);
		return -1;
	}
	ctx->gate = all->loop[0];
	return 0;
}


/* The bytes c holds: its request so far and the answer it has not taken. */
static size_t
gate_bytes(const struct gate_conn *c)
{
	return (size_t)c->len + (size_t)(c->out_len - c->out_off);
}


/* Unlinks c from the parked list; its buffers stay. */
static void
gate_unlink(struct gate *g, struct gate_conn *c)
{
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		g->head = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	} else {
		g->tail = c->prev;
	}
	c->prev = c->next = NULL;
	g->n--;
	gate_count(&g->all->parked, -1);
	g->nready -= c->ready;
	c->ready = 0;
	gate_held(g, -(long long)gate_bytes(c));
}


static void
gate_link(struct gate *g, struct gate_conn *c)
{
	c->prev = g->tail;
	c->next = NULL;
	if (g->tail != NULL) {
		g->tail->next = c;
	} else {
		g->head = c;
	}
	g->tail = c;
	g->n++;
	gate_count(&g->all->parked, 1);
	gate_held(g, (long long)gate_bytes(c));
}


/* Sets c aside to be freed after the batch (gate_run); its buffers go. */
static void
gate_bury(struct gate *g, struct gate_conn *c)
{
	mg_free(c->buf);
	mg_free(c->out);
	c->buf = c->out = NULL;
	c->so.sock = INVALID_SOCKET;
	c->next = g->dead;
	g->dead = c;
}


static void
gate_free_dead(struct gate *g)
{
	struct gate_conn *c;

	while ((c = g->dead) != NULL) {
		g->dead = c->next;
		mg_free(c);
	}
}


static void
gate_close(struct gate *g, struct gate_conn *c)
{
	gate_unlink(g, c);
	close(c->so.sock); /* leaves the epoll set with it */
	gate_bury(g, c);
}


/* Closes the connection parked longest, to make room. */
static void
gate_evict(struct gate *g)
{
	if (g->head != NULL) {
		gate_close(g, g->head);
		gate_count(&g->all->st.evicted, 1);
	}
}


/*
 * Over the budget: closes the longest-parked connections that hold bytes
 * (real clients send at once and read at once: they are the youngest).
 * Returns 0, or -1 when c itself went.
 */
static int
gate_trim(struct gate *g, struct gate_conn *c)
{
	struct gate_conn *o;

	while (__atomic_load_n(&g->all->buffered, __ATOMIC_RELAXED)
	           + __atomic_load_n(&g->all->queued, __ATOMIC_RELAXED)
	       > g->budget) {
		for (o = g->head; (o != NULL) && (gate_bytes(o) == 0); o = o->next)
			;
		if (o == NULL) {
			break;
		}
		gate_close(g, o);
		gate_count(&g->all->st.evicted, 1);
		if (o == c) {
			return -1;
		}
	}
	return 0;
}


/* (Re-)arms c in the epoll set for one event (EPOLLONESHOT): EPOLLOUT
 * while it holds an answer, else EPOLLIN. */
static int
gate_arm(struct gate *g, struct gate_conn *c, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = ((c->out != NULL) ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT;
	ev.data.ptr = c;
	return epoll_ctl(g->ep, op, c->so.sock, &ev);
}


/* Ends c's request state: the next bytes start a new request. */
static void
gate_new_request(struct gate_conn *c)
{
	memset(&c->sc, 0, sizeof(c->sc));
	c->continued = 0;
	c->started = (c->len > 0) ? gate_now() : 0;
}


/*
 * now as an HTTP date (RFC 9110 5.6.7) into buf: civetweb's
 * gmt_time_string uses gmtime(), whose one static result every gate
 * loop would share (ThreadSanitizer saw two loops race on it).
 */
static void
gate_date(char *buf, size_t len, time_t now)
{
	struct tm tm;

	if ((gmtime_r(&now, &tm) == NULL)
	    || (strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)) {
		mg_strlcpy(buf, "Thu, 01 Jan 1970 00:00:00 GMT", len);
	}
}


/*
 * Answers c with status and why (text/plain, Connection: close), then
 * drains what it still sends for a while before closing, so that the
 * answer is not lost to a reset.
 */
static void
gate_reply(struct gate *g, struct gate_conn *c, int status, const char *why)
{
	char msg[512], date[64];
	time_t now = time(NULL);

	gate_date(date, sizeof(date), now);
	if (status == 200) {
		/* OPTIONS *: the methods either listener serves. */
		mg_snprintf(NULL,
		            NULL,
		            msg,
		            sizeof(msg),
		            "HTTP/1.1 200 OK\r\n"
		            "Date: %s\r\n"
		            "Allow: GET, HEAD, POST\r\n"
		            "Content-Length: 0\r\n"
		            "Connection: close\r\n\r\n",
		            date);
	} else {
		mg_snprintf(NULL,
		            NULL,
		            msg,
		            sizeof(msg),
		            "HTTP/1.1 %d %s\r\n"
		            "Date: %s\r\n"
		            "Content-Type: text/plain; charset=utf-8\r\n"
		            "Content-Length: %d\r\n"
		            "Cache-Control: no-store\r\n"
		            "Connection: close\r\n\r\n"
		            "%s\n",
		            status,
		            mg_get_response_code_text(NULL, status),
		            date,
		            (int)strlen(why) + 1,
		            why);
	}
	/* An answer to HEAD has the head only (RFC 9110 9.3.2). */
	if ((c->len >= 5) && (memcmp(c->buf, "HEAD ", 5) == 0)) {
		*(strstr(msg, "\r\n\r\n") + 4) = '\0';
	}
	(void)send(c->so.sock, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(c->so.sock, SHUT_WR);
	gate_held(g, -(long long)c->len);
	mg_free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	c->closing = 1;
	c->since = gate_now();
	if (status == 408) {
		gate_count(&g->all->st.timed_out, 1);
	} else if (status != 200) {
		gate_count(&g->all->st.rejected, 1);
	}
}


/* Queues so for a worker if the queue has room (as produce_socket, which
 * would wait for room): 1 when queued, 0 when full. */
static int
gate_produce(struct mg_context *ctx, const struct socket *so)
{
	int room;

	(void)pthread_mutex_lock(&ctx->thread_mutex);
	room = (ctx->sq_head - ctx->sq_tail) < ctx->sq_size;
	if (room) {
		ctx->squeue[ctx->sq_head % ctx->sq_size] = *so;
		ctx->sq_head++;
		(void)pthread_cond_signal(&ctx->sq_full);
	}
	(void)pthread_mutex_unlock(&ctx->thread_mutex);
	return room;
}


/*
 * Hands c, whose request is all in, to a worker; when every worker is busy
 * and the queue full, c waits parked (ready) and gate_run tries again, so
 * a loop never blocks. Returns -1 when c went to a worker.
 */
static int
gate_dispatch(struct mg_context *ctx, struct gate_conn *c)
{
	struct gate *g = gate_self;
	struct socket so;

	so = c->so;
	so.pre = c->buf;
	so.pre_len = c->len;
	so.gate_loop = (unsigned char)g->idx; /* where it comes back */
	/* Counted first: the worker takes them off as it starts. */
	__atomic_add_fetch(&g->all->waiting, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&g->all->queued, (long long)so.pre_len, __ATOMIC_RELAXED);
	if (!gate_produce(ctx, &so)) {
		__atomic_sub_fetch(&g->all->waiting, 1, __ATOMIC_RELAXED);
		__atomic_sub_fetch(&g->all->queued,
		                   (long long)so.pre_len,
		                   __ATOMIC_RELAXED);
		if (!c->ready) {
			c->ready = 1;
			g->nready++;
		}
		return 0;
	}
	gate_unlink(g, c);
	c->buf = NULL; /* the worker's now */
	gate_bury(g, c);
	return -1;
}


/*
 * c's complete request (c->sc.total bytes) answered here, when the
 * program's fn can (mg_set_gate_answer): the answer sent, or what the
 * client does not take at once kept in c->out, and the request's bytes
 * gone from c->buf. 1 when answered, 0 when a worker is to answer it, -1
 * when c was closed (the client left, or memory ran out).
 */
static int
gate_answer(struct gate *g, struct gate_conn *c)
{
	mg_gate_answer_fn fn = __atomic_load_n(&g->all->answer, __ATOMIC_ACQUIRE);
	int n, total = c->sc.total;
	ssize_t sent;

	c->so.gate_once = 0;
	if ((fn == NULL) || c->sc.chunked || (total <= 0) || (total > c->len)) {
		return 0;
	}
	n = fn(g->all->answer_user,
	       c->buf,
	       c->sc.head_len,
	       total,
	       g->abuf,
	       GATE_ANSWER_MAX);
	if (n < 0) {
		/* This request only: the worker gives c back after it. */
		c->so.gate_once = 1;
		return 0;
	}
	if ((n == 0) || (n > GATE_ANSWER_MAX)) {
		return 0;
	}
	gate_count(&g->all->st.answered, 1); /* as fn counted it */
	memmove(c->buf, c->buf + total, (size_t)(c->len - total));
	c->len -= total;
	gate_held(g, -(long long)total);
	c->kept = 1;
	c->since = gate_now();
	gate_new_request(c);
	sent = send(c->so.sock, g->abuf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if ((sent < 0) && (ERROR_TRY_AGAIN(errno) || (errno == EINTR))) {
		sent = 0; /* all of it waits for EPOLLOUT */
	} else if (sent < 0) {
		gate_close(g, c); /* the client left */
		return -1;
	}
	if (sent < n) {
		/* The client takes the rest as it reads (gate_flush). */
		if ((c->out = (char *)mg_malloc((size_t)(n - sent))) == NULL) {
			gate_close(g, c);
			return -1;
		}
		memcpy(c->out, g->abuf + sent, (size_t)(n - sent));
		c->out_len = n - (int)sent;
		c->out_off = 0;
		gate_held(g, (long long)c->out_len);
	}
	/* Parked anew, as if back from a worker: the longest parked, whom
	 * room is made by closing, are those that sent nothing since. */
	gate_unlink(g, c);
	gate_link(g, c);
	return 1;
}


/* What to do with c now that its buffer changed: 0, or -1 if c went to a
 * worker or was closed. */
static int
gate_step(struct mg_context *ctx, struct gate_conn *c)
{
	struct gate *g = gate_self;
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	int r;

again:
	r = gate_scan(c->buf, c->len, g->head_max, g->body_max, &c->sc);
	if (c->sc.skip > 0) {
		memmove(c->buf, c->buf + c->sc.skip, (size_t)(c->len - c->sc.skip));
		c->len -= c->sc.skip;
		gate_held(g, -(long long)c->sc.skip);
		if (c->len == 0) {
			c->started = 0; /* empty lines are not a request */
		}
	}
	if ((r == GATE_COMPLETE) && c->sc.star) {
		/* OPTIONS * (RFC 9110 9.3.7): what the server offers. */
		gate_reply(g, c, 200, "");
		return 0;
	}
	if ((r == GATE_COMPLETE) && (c->sc.drop_len > 0)) {
		/* "GET http://host:port/ocsp/..." is "GET /ocsp/...": one
		 * server here, whatever it was called (RFC 9112 3.2.2). */
		memmove(c->buf + c->sc.drop_at,
		        c->buf + c->sc.drop_at + c->sc.drop_len,
		        (size_t)(c->len - c->sc.drop_at - c->sc.drop_len));
		c->len -= c->sc.drop_len;
		c->sc.total -= c->sc.drop_len;
		c->sc.head_len -= c->sc.drop_len;
		gate_held(g, -(long long)c->sc.drop_len);
		c->sc.drop_len = 0;
	}
	if (r == GATE_COMPLETE) {
		r = gate_answer(g, c);
		if (r == 0) {
			return gate_dispatch(ctx, c);
		}
		if (r < 0) {
			return -1;
		}
		/* Answered: a request pipelined behind it is in the buffer
		 * already, and epoll would not say so. */
		if ((c->out == NULL) && (c->len > 0)) {
			goto again;
		}
		return 0;
	}
	if (r == GATE_ERROR) {
		gate_reply(g, c, c->sc.status, c->sc.why);
		return 0;
	}
	if (c->len >= g->buf_max) {
		/* Cannot happen with the limits above; never grow past. */
		gate_reply(g, c, 413, "a request over the size limit");
		return 0;
	}
	if (c->sc.expect && !c->continued) {
		/* RFC 9110 10.1.1: the head is in, the body is welcome. */
		(void)send(c->so.sock,
		           cont,
		           sizeof(cont) - 1,
		           MSG_DONTWAIT | MSG_NOSIGNAL);
		c->continued = 1;
	}
	return 0;
}


/*
 * Sets c aside to be stepped once the batch's reads are done
 * (gate_run_later), then armed with op. Every request is stepped there,
 * after the last read of its batch: mg_set_gate_answer's fn answers
 * them between that read and its done call, so whatever the program
 * reads to answer them (one database snapshot for all) is read after
 * every byte of each.
 */
static void
gate_later(struct gate *g, struct gate_conn *c, int op)
{
	if (!c->later) {
		c->later = 1;
		c->later_op = op;
		c->later_next = g->later;
		g->later = c;
	}
}


/* Steps what gate_later set aside, then tells the program's done fn. */
static void
gate_run_later(struct mg_context *ctx)
{
	struct gate *g = gate_self;
	struct gate_conn *c;
	mg_gate_done_fn done;

	while ((c = g->later) != NULL) {
		g->later = c->later_next;
		c->later_next = NULL;
		c->later = 0;
		if (c->so.sock == INVALID_SOCKET) {
			continue; /* closed since, in this batch */
		}
		if ((gate_step(ctx, c) != 0) || (gate_trim(g, c) != 0) || c->ready) {
			continue; /* with a worker, closed, or waiting for one */
		}
		if (gate_arm(g, c, c->later_op) != 0) {
			gate_close(g, c);
		}
	}
	if ((__atomic_load_n(&g->all->answer, __ATOMIC_ACQUIRE) != NULL)
	    && ((done = g->all->answer_done) != NULL)) {
		done(g->all->answer_user);
	}
}


/* Reads what c sent (it is readable), then sets it aside to be stepped
 * (gate_later). */
static void
gate_read(struct mg_context *ctx, struct gate_conn *c)
{
	struct gate *g = gate_self;
	char scratch[4096];
	ssize_t n;
	int cap;
	char *nb;

	if (c->closing) {
		n = recv(c->so.sock, scratch, sizeof(scratch), MSG_DONTWAIT);
		if ((n == 0) || ((n < 0) && !ERROR_TRY_AGAIN(errno))) {
			gate_close(g, c);
		} else if (gate_arm(g, c, EPOLL_CTL_MOD) != 0) {
			gate_close(g, c);
		}
		return;
	}
	if (c->len == c->cap) {
		cap = (c->cap == 0) ? GATE_BUF_FIRST : 2 * c->cap;
		if (cap > g->buf_max) {
			cap = g->buf_max;
		}
		if ((nb = (char *)mg_realloc(c->buf, (size_t)cap)) == NULL) {
			gate_close(g, c);
			return;
		}
		c->buf = nb;
		c->cap = cap;
	}
	n = recv(c->so.sock, c->buf + c->len, (size_t)(c->cap - c->len), 0);
	if ((n < 0) && ERROR_TRY_AGAIN(errno)) {
		if (gate_arm(g, c, EPOLL_CTL_MOD) != 0) {
			gate_close(g, c);
		}
		return;
	}
	if (n <= 0) {
		gate_close(g, c); /* the client left, or an error */
		return;
	}
	if (c->started == 0) {
		c->started = gate_now();
	}
	c->len += (int)n;
	gate_held(g, (long long)n);
	if (gate_trim(g, c) == 0) {
		gate_later(g, c, EPOLL_CTL_MOD);
	}
}


/*
 * c holds an answer (it is writable): sends what the client takes. Once
 * all is taken, c closes (close_after) or waits for its next request.
 */
static void
gate_flush(struct mg_context *ctx, struct gate_conn *c)
{
	struct gate *g = gate_self;
	ssize_t n;

	n = send(c->so.sock,
	         c->out + c->out_off,
	         (size_t)(c->out_len - c->out_off),
	         MSG_DONTWAIT | MSG_NOSIGNAL);
	if ((n < 0) && ERROR_TRY_AGAIN(errno)) {
		n = 0;
	} else if (n <= 0) {
		gate_close(g, c); /* the client left */
		return;
	}
	c->out_off += (int)n;
	gate_held(g, -(long long)n);
	if (c->out_off < c->out_len) {
		if (gate_arm(g, c, EPOLL_CTL_MOD) != 0) {
			gate_close(g, c);
		}
		return;
	}
	mg_free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	c->since = gate_now();
	if (c->close_after) {
		/* As civetweb would have closed it: FIN, then drain. */
		shutdown(c->so.sock, SHUT_WR);
		c->closing = 1;
	} else {
		gate_new_request(c);
		if (c->len > 0) {
			gate_later(g, c, EPOLL_CTL_MOD); /* pipelined */
			return;
		}
	}
	if (gate_arm(g, c, EPOLL_CTL_MOD) != 0) {
		gate_close(g, c);
	}
}


/* Parks c (new, or returned by a worker) and steps it if it holds bytes. */
static void
gate_park(struct mg_context *ctx, struct gate_conn *c, int op)
{
	struct gate *g = gate_self;

	while ((__atomic_load_n(&g->all->parked, __ATOMIC_RELAXED) >= g->max_conns)
	       && (g->head != NULL)) {
		gate_evict(g);
	}
	c->since = gate_now();
	gate_link(g, c);
	if (gate_trim(g, c) != 0) {
		return;
	}
	if ((c->out == NULL) && (c->len > 0)) {
		gate_later(g, c, op);
		return;
	}
	if (gate_arm(g, c, op) != 0) {
		gate_close(g, c);
	}
}


/* A connection just accepted (from accept_new_connection). */
static void
gate_add(struct mg_context *ctx, const struct socket *so)
{
	struct gate_conn *c;

	if ((c = (struct gate_conn *)mg_calloc(1, sizeof(*c))) == NULL) {
		closesocket(so->sock);
		return;
	}
	c->so = *so;
	c->so.pre = NULL;
	c->so.pre_len = 0;
	gate_count(&ctx->gate->all->st.accepted, 1);
	gate_park(ctx, c, EPOLL_CTL_ADD);
}


/* Takes back what workers returned (their sockets are still in the epoll
 * set, disarmed: re-armed with MOD). */
static void
gate_take_returned(struct mg_context *ctx)
{
	struct gate *g = gate_self;
	struct gate_conn *c, *next;
	uint64_t v;

	(void)read(g->wake, &v, sizeof(v));
	pthread_mutex_lock(&g->mu);
	c = g->returned;
	g->returned = NULL;
	pthread_mutex_unlock(&g->mu);
	for (; c != NULL; c = next) {
		next = c->next;
		c->next = NULL;
		gate_park(ctx, c, EPOLL_CTL_MOD);
	}
}


/* Hands over the complete requests that waited for room in the queue. */
static void
gate_retry_ready(struct mg_context *ctx)
{
	struct gate *g = gate_self;
	struct gate_conn *c, *next;

	for (c = g->head; (c != NULL) && (g->nready > 0); c = next) {
		next = c->next;
		if (c->ready && (gate_dispatch(ctx, c) == 0)) {
			break; /* still full */
		}
	}
}


/* Takes the listeners out of the epoll set (pause 1) or puts them back. */
static void
gate_listen(struct mg_context *ctx, int pause)
{
	struct gate *g = gate_self;
	struct epoll_event ev;
	unsigned int i;

	for (i = 0; (i < ctx->num_listening_sockets) && (i < sizeof(g->tag_listen));
	     i++) {
		memset(&ev, 0, sizeof(ev));
		/* Each new connection wakes one loop, not all of them. */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &g->tag_listen[i];
		epoll_ctl(g->ep,
		          pause ? EPOLL_CTL_DEL : EPOLL_CTL_ADD,
		          ctx->listening_sockets[i].sock,
		          &ev);
	}
	g->paused = pause;
}


/* Closes or answers whatever is past its deadline. */
static void
gate_tick(struct mg_context *ctx, uint64_t now)
{
	struct gate *g = gate_self;
	struct gate_conn *c, *next;

	if (g->paused) {
		gate_listen(ctx, 0); /* descriptors may have come free */
	}
	/* Once a burst of buffers is over, give the memory back: freed
	 * buffers otherwise stay with the process (glibc's arenas). */
	if (g->buffered > g->trim_mark) {
		g->trim_mark = g->buffered;
	} else if (g->trim_mark - g->buffered > (size_t)4 << 20) {
		malloc_trim(0);
		g->trim_mark = g->buffered;
	}
	for (c = g->head; c != NULL; c = next) {
		next = c->next;
		if (c->ready) {
			continue; /* all in: waiting is ours, not the client's */
		}
		if (c->closing) {
			if (now - c->since > GATE_DRAIN_NS) {
				gate_close(g, c);
			}
		} else if (c->out != NULL) {
			if (now - c->since > GATE_FLUSH_NS) {
				gate_close(g, c); /* it does not read its answer */
				gate_count(&g->all->st.timed_out, 1);
			}
		} else if (c->started != 0) {
			if (now - c->started > g->request_ns) {
				gate_reply(g, c, 408, "the request took too long");
			}
		} else if (now - c->since
		           > (c->kept ? g->keep_alive_ns : g->first_byte_ns)) {
			gate_close(g, c);
			gate_count(&g->all->st.idle_closed, 1);
		}
	}
}


/* The master thread's loop, until the context stops. */
static void
gate_loop_run(struct gate *g)
{
	struct mg_context *ctx = g->ctx;
	struct epoll_event ev[GATE_EVENTS];
	struct gate_conn *c;
	unsigned int i, k;
	uint64_t now;
	int n, j, wait_ms;
	char *tag;

	gate_self = g;
	gate_listen(ctx, 0);
	memset(&ev[0], 0, sizeof(ev[0]));
	ev[0].events = EPOLLIN;
	ev[0].data.ptr = &g->tag_wake;
	epoll_ctl(g->ep, EPOLL_CTL_ADD, g->wake, &ev[0]);
	g->next_tick = gate_now() + GATE_TICK_NS;

	while (STOP_FLAG_IS_ZERO(&ctx->stop_flag)) {
		now = gate_now();
		wait_ms = (g->next_tick > now)
		              ? (int)((g->next_tick - now) / 1000000ULL) + 1
		              : 0;
		if ((g->nready > 0) && (wait_ms > 2)) {
			wait_ms = 2; /* the queue may have room again soon */
		}
		n = epoll_wait(g->ep, ev, GATE_EVENTS, wait_ms);
		for (j = 0; (j < n) && STOP_FLAG_IS_ZERO(&ctx->stop_flag); j++) {
			tag = (char *)ev[j].data.ptr;
			if (tag == &g->tag_wake) {
				gate_take_returned(ctx);
			} else if ((tag >= &g->tag_listen[0])
			           && (tag < &g->tag_listen[sizeof(g->tag_listen)])) {
				k = (unsigned)(tag - &g->tag_listen[0]);
				/* Take what is waiting, a bounded number at a time. */
				for (i = 0; (i < 64) && !g->paused; i++) {
					if (accept_new_connection(&ctx->listening_sockets[k],
					                          ctx)) {
						continue;
					}
					if ((errno != EMFILE) && (errno != ENFILE)
					    && (errno != ENOBUFS) && (errno != ENOMEM)) {
						break;
					}
					/* Out of descriptors: the longest parked goes; with
					 * none parked, stop listening until the next tick
					 * instead of spinning on a listener still ready. */
					if (g->head != NULL) {
						gate_evict(g);
					} else {
						gate_listen(ctx, 1);
					}
				}
			} else {
				c = (struct gate_conn *)ev[j].data.ptr;
				if (c->so.sock == INVALID_SOCKET) {
					continue; /* closed earlier in this batch */
				}
				if (c->out != NULL) {
					gate_flush(ctx, c);
				} else {
					gate_read(ctx, c);
				}
			}
		}
		gate_run_later(ctx);
		if (g->nready > 0) {
			gate_retry_ready(ctx);
		}
		now = gate_now();
		if (now >= g->next_tick) {
			gate_tick(ctx, now);
			g->next_tick = now + GATE_TICK_NS;
		}
		gate_free_dead(g);
	}
	while (g->head != NULL) {
		gate_close(g, g->head);
	}
	gate_free_dead(g);
}


/* A loop's own thread (loops 1..): civetweb's thread-local state, as the
 * master thread's, then the loop. */
static void *
gate_thread(void *arg)
{
	struct gate *g = (struct gate *)arg;
	struct mg_workerTLS tls;

	memset(&tls, 0, sizeof(tls));
	tls.is_master = 1;
	pthread_setspecific(sTlsKey, &tls);
	mg_set_thread_name("gate");
	gate_loop_run(g);
	pthread_setspecific(sTlsKey, NULL);
	return NULL;
}


/*
 * The master thread, until the context stops: the listeners set up,
 * loops 1.. started on threads of their own (a loop that cannot start
 * is left out: its share goes to the others), loop 0 run here, then the
 * others joined.
 */
static void
gate_run(struct mg_context *ctx)
{
	struct gate_all *all = ctx->gate->all;
	unsigned int i;
	int bufsz = GATE_SOCKBUF;

	for (i = 0; i < ctx->num_listening_sockets; i++) {
		set_non_blocking_mode(ctx->listening_sockets[i].sock);
		(void)setsockopt(ctx->listening_sockets[i].sock,
		                 SOL_SOCKET,
		                 SO_SNDBUF,
		                 &bufsz,
		                 sizeof(bufsz));
		(void)setsockopt(ctx->listening_sockets[i].sock,
		                 SOL_SOCKET,
		                 SO_RCVBUF,
		                 &bufsz,
		                 sizeof(bufsz));
	}
	for (i = 1; i < all->nloops; i++) {
		all->started[i] =
		    (pthread_create(&all->thread[i], NULL, gate_thread, all->loop[i])
		     == 0);
	}
	gate_loop_run(all->loop[0]);
	for (i = 1; i < all->nloops; i++) {
		if (all->started[i]) {
			pthread_join(all->thread[i], NULL);
		}
	}
}


/* After the loops and the workers are joined: closes all that is left. */
static void
gate_drain(struct mg_context *ctx)
{
	struct gate *g;
	struct gate_conn *c, *next;
	unsigned i;

	if (ctx->gate == NULL) {
		return;
	}
	for (i = 0; i < ctx->gate->all->nloops; i++) {
		g = ctx->gate->all->loop[i];
		for (c = g->returned; c != NULL; c = next) {
			next = c->next;
			close(c->so.sock);
			mg_free(c->buf);
			mg_free(c->out);
			mg_free(c);
		}
		g->returned = NULL;
		while (g->head != NULL) {
			gate_close(g, g->head);
		}
		gate_free_dead(g);
	}
	/* Requests queued for workers that stopped first. */
	while (ctx->sq_tail < ctx->sq_head) {
		struct socket *so = &ctx->squeue[ctx->sq_tail % ctx->sq_size];

		close(so->sock);
		mg_free(so->pre);
		so->pre = NULL;
		ctx->sq_tail++;
	}
}


static void
gate_free(struct mg_context *ctx)
{
	struct gate_all *all;
	unsigned i;

	if (ctx->gate == NULL) {
		return;
	}
	all = ctx->gate->all;
	gate_drain(ctx);
	for (i = 0; i < all->nloops; i++) {
		gate_loop_free(all->loop[i]);
	}
	mg_free(all);
	ctx->gate = NULL;
}


/* A worker: the request the gate read goes into conn's buffer. */
static void
gate_load(struct mg_connection *conn)
{
	struct gate_all *all = conn->phys_ctx->gate->all;

	__atomic_sub_fetch(&all->waiting, 1, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&all->queued,
	                   (long long)conn->client.pre_len,
	                   __ATOMIC_RELAXED);
	if (conn->client.pre != NULL) {
		/* pre_len <= buf_max == buf_size: the gate never reads more. */
		memcpy(conn->buf, conn->client.pre, (size_t)conn->client.pre_len);
		conn->data_len = conn->client.pre_len;
		mg_free(conn->client.pre);
		conn->client.pre = NULL;
		conn->client.pre_len = 0;
	}
}


/*
 * A worker: hands conn's socket back to the gate, with the bytes after its
 * last request and the answer the client has not taken (mg_write_gated);
 * close_after: close it once that is taken. 1 when done (conn no longer
 * has a socket), 0 when memory ran out (the caller closes it).
 */
static int
gate_return(struct mg_connection *conn, int close_after)
{
	struct gate_all *all = conn->phys_ctx->gate->all;
	struct gate *g;
	struct gate_conn *c;
	uint64_t one = 1;

	/* To the loop that has its socket in its epoll set. */
	g = all->loop[(conn->client.gate_loop < all->nloops) ? conn->client.gate_loop
	                                                    : 0];

	if ((c = (struct gate_conn *)mg_calloc(1, sizeof(*c))) == NULL) {
		return 0;
	}
	if ((conn->data_len > 0) && !close_after) {
		if ((c->buf = (char *)mg_malloc((size_t)conn->data_len)) == NULL) {
			mg_free(c);
			return 0;
		}
		memcpy(c->buf, conn->buf, (size_t)conn->data_len);
		c->len = c->cap = conn->data_len;
		c->started = gate_now();
	}
	c->out = conn->gate_out;
	c->out_len = conn->gate_out_len;
	conn->gate_out = NULL;
	conn->gate_out_len = 0;
	c->close_after = (unsigned char)close_after;
	c->so = conn->client;
	c->so.pre = NULL;
	c->so.pre_len = 0;
	c->so.gate_once = 0;
	c->kept = 1;
	pthread_mutex_lock(&g->mu);
	c->next = g->returned;
	g->returned = c;
	pthread_mutex_unlock(&g->mu);
	(void)write(g->wake, &one, sizeof(one));
	conn->client.sock = INVALID_SOCKET;
	conn->data_len = 0;
	return 1;
}


/*
 * A worker, before closing conn: an answer the client has not taken yet
 * goes to the gate with the socket, to be sent, then closed.
 */
static void
gate_close_later(struct mg_connection *conn)
{
	if ((conn->gate_out != NULL)
	    && ((conn->client.sock == INVALID_SOCKET)
	        || !STOP_FLAG_IS_ZERO(&conn->phys_ctx->stop_flag)
	        || !gate_return(conn, 1))) {
		mg_free(conn->gate_out);
		conn->gate_out = NULL;
		conn->gate_out_len = 0;
	}
}


/*
 * A worker, after answering a request on a connection that stays open:
 * 1 to answer the next request on it here (it is all in already, or
 * arrives within GATE_LINGER_NS, while no other request waits for a
 * worker, and the gate did not send this one for this once only: a
 * negative mg_gate_answer_fn); 0 once the connection went back to the
 * gate or must close.
 */
static int
gate_keep(struct mg_connection *conn)
{
	struct gate *g = conn->phys_ctx->gate;
	struct gate_scan sc;
	struct pollfd pfd;
	uint64_t until = gate_now() + GATE_LINGER_NS;
	ssize_t n;
	int r, busy;

	memset(&sc, 0, sizeof(sc));
	for (;;) {
		if (!STOP_FLAG_IS_ZERO(&conn->phys_ctx->stop_flag)) {
			return 0;
		}
		if (conn->gate_out != NULL) {
			break; /* the client is slow to read: the gate waits */
		}
		if (conn->client.gate_once) {
			break; /* the gate answers the next one */
		}
		r = gate_scan(conn->buf, conn->data_len, g->head_max, g->body_max, &sc);
		if (sc.skip > 0) {
			memmove(conn->buf,
			        conn->buf + sc.skip,
			        (size_t)(conn->data_len - sc.skip));
			conn->data_len -= sc.skip;
		}
		busy = __atomic_load_n(&g->all->waiting, __ATOMIC_RELAXED) > 0;
		/* An absolute-form target or OPTIONS * is the gate's to
		 * rewrite or answer (gate_step): it goes back. */
		if ((r == GATE_COMPLETE) && !busy && !sc.star && (sc.drop_len == 0)) {
			return 1;
		}
		if ((r == GATE_COMPLETE) && !busy) {
			break;
		}
		if ((r != GATE_NEED) || busy || sc.expect || (gate_now() >= until)
		    || (conn->data_len >= conn->buf_size)) {
			break;
		}
		/* Wait a millisecond at a time, to see others waiting soon. */
		pfd.fd = conn->client.sock;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 1) <= 0) {
			continue;
		}
		n = recv(conn->client.sock,
		         conn->buf + conn->data_len,
		         (size_t)((conn->buf_size - conn->data_len < GATE_WORKER_READ)
		                      ? conn->buf_size - conn->data_len
		                      : GATE_WORKER_READ),
		         MSG_DONTWAIT);
		if (n == 0) {
			return 0; /* the client closed */
		}
		if (n < 0) {
			if (ERROR_TRY_AGAIN(errno)) {
				continue;
			}
			return 0;
		}
		conn->data_len += (int)n;
	}
	gate_return(conn, 0);
	return 0;
}


CIVETWEB_API int
mg_write_gated(struct mg_connection *conn, const void *buf, size_t len)
{
	const char *p = (const char *)buf;
	uint64_t until = 0;
	struct pollfd pfd;
	size_t off = 0;
	ssize_t n;
	char *nb;

	if ((conn == NULL) || (len > INT_MAX)) {
		return -1;
	}
	conn->request_state = 10; /* data sent, as mg_write says */
	while ((conn->gate_out == NULL) && (off < len)) {
		n = send(conn->client.sock,
		         p + off,
		         len - off,
		         MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
		} else if ((n < 0) && (errno == EINTR)) {
			continue;
		} else if ((n < 0) && ERROR_TRY_AGAIN(errno)) {
			if (until == 0) {
				until = gate_now() + GATE_WRITE_WAIT_NS;
			} else if (gate_now() >= until) {
				break;
			}
			pfd.fd = conn->client.sock;
			pfd.events = POLLOUT;
			pfd.revents = 0;
			(void)poll(&pfd, 1, 1);
		} else {
			conn->must_close = 1;
			return -1;
		}
	}
	conn->num_bytes_sent += (int64_t)off;
	if (off < len) {
		/* The client has not taken it all: the gate sends the rest. */
		if ((size_t)conn->gate_out_len + (len - off) > INT_MAX) {
			conn->must_close = 1;
			return -1;
		}
		nb = (char *)mg_realloc(conn->gate_out,
		                        (size_t)conn->gate_out_len + (len - off));
		if (nb == NULL) {
			conn->must_close = 1;
			return -1;
		}
		memcpy(nb + conn->gate_out_len, p + off, len - off);
		conn->gate_out = nb;
		conn->gate_out_len += (int)(len - off);
	}
	return (int)len;
}


CIVETWEB_API int
mg_set_gate_answer(struct mg_context *ctx,
                   mg_gate_answer_fn fn,
                   mg_gate_done_fn done,
                   void *user)
{
	struct gate_all *all;

	if ((ctx == NULL) || (ctx->gate == NULL)) {
		return -1;
	}
	all = ctx->gate->all;
	all->answer_user = user; /* published by the store of fn */
	all->answer_done = done;
	__atomic_store_n(&all->answer, fn, __ATOMIC_RELEASE);
	return 0;
}


CIVETWEB_API int
mg_get_gate_stats(const struct mg_context *ctx, struct mg_gate_stats *out)
{
	struct gate_all *g;

	memset(out, 0, sizeof(*out));
	if ((ctx == NULL) || (ctx->gate == NULL)) {
		return -1;
	}
	g = ctx->gate->all;
	out->open = __atomic_load_n(&g->parked, __ATOMIC_RELAXED);
	out->accepted = __atomic_load_n(&g->st.accepted, __ATOMIC_RELAXED);
	out->evicted = __atomic_load_n(&g->st.evicted, __ATOMIC_RELAXED);
	out->idle_closed = __atomic_load_n(&g->st.idle_closed, __ATOMIC_RELAXED);
	out->timed_out = __atomic_load_n(&g->st.timed_out, __ATOMIC_RELAXED);
	out->rejected = __atomic_load_n(&g->st.rejected, __ATOMIC_RELAXED);
	out->answered = __atomic_load_n(&g->st.answered, __ATOMIC_RELAXED);
	return 0;
}
