/*
 * Single-flight: of the threads that miss one cache key at once, one
 * signs and the others wait for it to land, then look in the cache again.
 * A burst of requests for one uncached certificate costs one signature.
 * Flights are few (one per key being signed right now), so a list under
 * one mutex is enough.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct flight {
	char key[OB_FLIGHT_KEY_MAX + 1];
	int waiters; /* threads waiting for it to land */
	int landed;
	struct flight *next;
};

struct flights {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* broadcast when any flight lands */
	struct flight *head; /* flights under way */
};

struct flights *
flights_new(void)
{
	struct flights *fs;

	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return NULL;
	if (pthread_mutex_init(&fs->mu, NULL) != 0) {
		free(fs);
		return NULL;
	}
	if (pthread_cond_init(&fs->cv, NULL) != 0) {
		pthread_mutex_destroy(&fs->mu);
		free(fs);
		return NULL;
	}
	return fs;
}

void
flights_free(struct flights *fs)
{
	struct flight *f, *next;

	if (fs == NULL)
		return;
	/* Only when no thread is inside: what is left leaked a leader. */
	for (f = fs->head; f != NULL; f = next) {
		next = f->next;
		free(f);
	}
	pthread_cond_destroy(&fs->cv);
	pthread_mutex_destroy(&fs->mu);
	free(fs);
}

int
flights_join(struct flights *fs, const char *key, struct flight **lead)
{
	struct flight *f;

	*lead = NULL;
	pthread_mutex_lock(&fs->mu);
	for (f = fs->head; f != NULL; f = f->next)
		if (strcmp(f->key, key) == 0)
			break;
	if (f == NULL) {
		if ((f = calloc(1, sizeof(*f))) == NULL) {
			pthread_mutex_unlock(&fs->mu);
			return 0;
		}
		snprintf(f->key, sizeof(f->key), "%s", key);
		f->next = fs->head;
		fs->head = f;
		pthread_mutex_unlock(&fs->mu);
		*lead = f;
		return 1;
	}
	/* The last waiter out frees a landed flight; the leader does not. */
	f->waiters++;
	while (!f->landed)
		pthread_cond_wait(&fs->cv, &fs->mu);
	if (--f->waiters == 0)
		free(f);
	pthread_mutex_unlock(&fs->mu);
	return 0;
}

void
flights_done(struct flights *fs, struct flight *f)
{
	struct flight **pp;

	if (f == NULL)
		return;
	pthread_mutex_lock(&fs->mu);
	for (pp = &fs->head; *pp != NULL && *pp != f; pp = &(*pp)->next)
		;
	/* Only its leader ends a flight, and only once. */
	assert(*pp == f && !f->landed);
	if (*pp == f)
		*pp = f->next;
	f->landed = 1;
	if (f->waiters == 0)
		free(f);
	else
		pthread_cond_broadcast(&fs->cv);
	pthread_mutex_unlock(&fs->mu);
}
