/*
 * fake_sim_shop.c: the simulator's marketplace and forum — Allegro (the
 * seller "acme-shop") and a Discourse forum — each item made through the
 * fake's own control calls, exactly as POST /_fake/allegro/... and
 * /_fake/discourse/post make them, so the connectors find them by polling:
 *
 *   rating   a buyer rating (about a third negative: not recommended, low
 *            delivery and service rates); the seller answers it
 *   thread   a buyer's Message Center thread, a MESSAGE_CENTER message or
 *            an ASK_QUESTION offer question; now and then the buyer writes
 *            once or twice more before the seller's one answer
 *   issue    a post-purchase issue (a dispute or a claim) with the buyer's
 *            message in its chat, maybe more; the seller answers in the chat
 *   forum    a new forum topic, maybe a second post of its author; the
 *            support account (acme_support, staff) answers in the topic
 *
 * Each kind arrives as a Poisson process: ratings, threads and forum topics
 * at a third of the mention rate each, issues at a sixth. The seller or
 * support answers 85% of them after a log-normal delay (median 40 s, 5 s
 * to 6 min, as the feeds: about half before the demo's policies warn, some
 * after they breach); 15% never. Every draw comes from sim->srng, so a
 * --seed gives the same items in the same order, and the other platforms'
 * traffic stays as it was for that seed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sim.h"

#define SHOP_ANSWERED 0.85
#define SHOP_NEGATIVE 0.35     /* ratings not recommended */
#define SHOP_QUESTION 0.4      /* threads that are an offer question */
#define SHOP_MORE 0.35         /* threads, issues, topics: the buyer writes again */
#define SHOP_CLAIM 0.3         /* issues that are a claim, not a dispute */
#define SUPPORT "acme_support" /* the forum's support account (config/demo.json's brand) */

enum shop_kind { SHOP_RATING, SHOP_THREAD, SHOP_ISSUE, SHOP_FORUM, SHOP_KINDS };

/* Each kind's platform and its share of the mention rate. */
static const struct {
	const char *platform;
	double share;
} shop_defs[SHOP_KINDS] = {
	{"allegro", 3.0},
	{"allegro", 3.0},
	{"allegro", 6.0},
	{"discourse", 3.0},
};

static const char *const buyers[] = {"kasia_k",   "marek1988", "ola.nowak", "tomek_z",
				     "ania-w",    "pawel.s",   "zofia_m",   "jan_kowal",
				     "magda.lis", "piotrek22", "ewa.b",     "krzysiek_r"};
static const char *const forum_users[] = {"mia",   "noah",  "liam",  "emma", "olivia",
					  "lucas", "sofia", "jonas", "ines", "yusuf"};
static const char *const praise[] = {
	"Szybka wysyłka, wszystko zgodne z opisem.", "Polecam, towar dotarł następnego dnia.",
	"Świetny kontakt ze sprzedającym.", "Produkt super, dobrze zapakowany."};
static const char *const complaint[] = {
	"Paczka przyszła uszkodzona.", "Czekałem dwa tygodnie na przesyłkę.",
	"Produkt niezgodny z opisem.", "Brak odpowiedzi na wiadomości, słaby kontakt."};
static const char *const rating_answers[] = {
	"Dziękujemy za zakupy i zapraszamy ponownie!",
	"Przepraszamy za kłopot, skontaktujemy się w sprawie zwrotu.",
	"Dziękujemy za opinię, przekazaliśmy ją magazynowi."};
static const char *const questions[] = {
	"Czy ten model pasuje do wersji 2024?", "Czy mogę odebrać osobiście w Krakowie?",
	"Czy jest dostępny w kolorze czarnym?", "Ile trwa wysyłka za granicę?"};
static const char *const messages[] = {
	"Kiedy wyślecie moje zamówienie?", "Chciałbym zwrócić towar, jak to zrobić?",
	"Dostałem zły rozmiar.", "Proszę o fakturę VAT do zamówienia."};
static const char *const more[] = {"Halo, czy ktoś odpowie?", "Dodam, że to pilne.",
				   "Numer zamówienia w załączniku.", "Ponawiam pytanie."};
static const char *const seller_answers[] = {
	"Dzień dobry, już sprawdzamy i wracamy z odpowiedzią.",
	"Zamówienie wysłaliśmy dziś, numer przesyłki w szczegółach.",
	"Oczywiście, prosimy o zwrot na adres z regulaminu.", "Tak, model jest dostępny."};
static const char *const issue_texts[] = {"Przesyłka nie dotarła, proszę o zwrot pieniędzy.",
					  "Towar jest uszkodzony, reklamuję.",
					  "Otrzymałem inny produkt niż zamówiony."};
static const char *const topics[] = {
	"Export to CSV fails with a timeout", "How do I reset my password?",
	"Sync stops after the 2.4 update", "Feature request: dark mode on Android",
	"Invoices show the wrong VAT rate"};
static const char *const forum_more[] = {"Any update on this?", "Same here, on 2.4.1.",
					 "Logs attached, it happens every time."};
static const char *const forum_answers[] = {
	"Thanks for the report! This is fixed in 2.4.2, out today.",
	"You can reset it under Settings > Account > Password.",
	"We are looking into it and will post here once we know more."};

#define PICK(r, list) ((list)[fake_rng_below(r, sizeof(list) / sizeof((list)[0]))])

/* The platform index of kind k, -1 when rwfake serves no such platform. */
static int
shop_platform(enum shop_kind k)
{
	return fake_platform_from_name(shop_defs[k].platform);
}

/* The control call's answer's string member (copied), or NULL. */
static char *
shop_member(json_t *answer, const char *key)
{
	const char *s = json_string_value(json_object_get(answer, key));
	char *copy = s ? strdup(s) : NULL;

	json_decref(answer);
	return copy;
}

/* The seller's delay before the answer, in ms; -1: never. */
static int64_t
shop_answer_delay(struct fake_sim *sim)
{
	double ms;

	if (fake_rng_unit(&sim->srng) >= SHOP_ANSWERED)
		return -1;
	ms = 40000.0 * exp(0.9 * fake_rng_normal(&sim->srng));
	if (ms < 5000.0)
		ms = 5000.0;
	if (ms > 360000.0)
		ms = 360000.0;
	return (int64_t)ms;
}

/* ---- Allegro ---- */

static char *
rating_arrive(struct fake_sim *sim, const struct ev *e)
{
	struct fake_rng *r = &sim->srng;
	bool negative = fake_rng_unit(r) < SHOP_NEGATIVE;
	char at[FAKE_TIME_LEN];
	json_t *body;

	fake_feed_time(e->at, at);
	body = json_pack("{s:s, s:s, s:b, s:s}", "buyer", PICK(r, buyers), "comment",
			 negative ? PICK(r, complaint) : PICK(r, praise), "recommended", !negative,
			 "created_at", at);
	if (body != NULL && (negative || fake_rng_unit(r) < 0.5)) {
		int lo = negative ? 1 : 4;

		json_object_set_new(body, "rates",
				    json_pack("{s:i, s:i, s:i, s:i}", "delivery",
					      lo + (int)fake_rng_below(r, 2), "deliveryCost",
					      lo + (int)fake_rng_below(r, 2), "description",
					      lo + (int)fake_rng_below(r, 2), "service",
					      lo + (int)fake_rng_below(r, 2)));
	}
	return shop_member(fake_feed_call(sim, e->p, "rating", body), "id");
}

static bool
rating_answer(struct fake_sim *sim, const struct ev *e)
{
	char at[FAKE_TIME_LEN];
	json_t *r;

	fake_feed_time(e->at, at);
	r = fake_feed_call(sim, e->p, "answer",
			   json_pack("{s:s, s:s, s:s}", "id", e->target, "message",
				     PICK(&sim->srng, rating_answers), "created_at", at));
	json_decref(r);
	return r != NULL;
}

/* A buyer's (or the seller's) message in thread, or in issue's chat. */
static bool
shop_message(struct fake_sim *sim, const struct ev *e, bool issue, const char *from,
	     const char *text, const char *type)
{
	char at[FAKE_TIME_LEN];
	json_t *r;

	fake_feed_time(e->at, at);
	r = fake_feed_call(sim, e->p, issue ? "issue_message" : "message",
			   json_pack("{s:s, s:s, s:s, s:s, s:s?}", issue ? "issue" : "thread",
				     e->target, "from", from, "text", text, "created_at", at,
				     "type", type));
	json_decref(r);
	return r != NULL;
}

static char *
thread_arrive(struct fake_sim *sim, const struct ev *e)
{
	struct fake_rng *r = &sim->srng;
	bool question = fake_rng_unit(r) < SHOP_QUESTION;
	const char *buyer = PICK(r, buyers),
		   *text = question ? PICK(r, questions) : PICK(r, messages);
	struct ev first = *e;
	char *id = shop_member(
		fake_feed_call(sim, e->p, "thread",
			       json_pack("{s:s, s:s}", "buyer", buyer, "type", "COMMON")),
		"id");

	first.target = id;
	if (id != NULL && !shop_message(sim, &first, false, "buyer", text,
					question ? "ASK_QUESTION" : "MESSAGE_CENTER")) {
		free(id);
		return NULL;
	}
	return id;
}

static char *
issue_arrive(struct fake_sim *sim, const struct ev *e)
{
	struct fake_rng *r = &sim->srng;
	bool claim = fake_rng_unit(r) < SHOP_CLAIM;
	const char *buyer = PICK(r, buyers), *text = PICK(r, issue_texts);
	struct ev first = *e;
	char *id =
		shop_member(fake_feed_call(sim, e->p, "issue",
					   json_pack("{s:s, s:s, s:s, s:I}", "buyer", buyer, "type",
						     claim ? "CLAIM" : "DISPUTE", "status",
						     claim ? "CLAIM_SUBMITTED" : "DISPUTE_ONGOING",
						     "opened_at", (json_int_t)e->at)),
			    "id");

	first.target = id;
	if (id != NULL && !shop_message(sim, &first, true, "buyer", text, NULL)) {
		free(id);
		return NULL;
	}
	return id;
}

/* ---- the forum: target is "TOPIC FIRST_POST_ID USERNAME" ---- */

/* The post made (its topic_id and id); false when none was. */
static bool
forum_post(struct fake_sim *sim, const struct ev *e, const char *user, const char *raw, long topic,
	   bool staff, long *topic_out, long *id_out)
{
	json_t *body = json_pack("{s:s, s:s, s:I, s:b}", "username", user, "raw", raw, "at",
				 (json_int_t)e->at, "staff", staff),
	       *r;

	if (body != NULL && topic > 0) {
		json_object_set_new(body, "topic_id", json_integer(topic));
		if (staff)
			json_object_set_new(body, "reply_to_post_number", json_integer(1));
	}
	r = fake_feed_call(sim, e->p, "post", body);
	if (r != NULL && topic_out != NULL)
		*topic_out = (long)json_integer_value(json_object_get(r, "topic_id"));
	if (r != NULL && id_out != NULL)
		*id_out = (long)json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	return r != NULL;
}

static char *
forum_arrive(struct fake_sim *sim, const struct ev *e)
{
	const char *user = PICK(&sim->srng, forum_users);
	long topic = 0, id = 0;

	if (!forum_post(sim, e, user, PICK(&sim->srng, topics), 0, false, &topic, &id) ||
	    topic <= 0)
		return NULL;
	return fake_sprintf("%ld %ld %s", topic, id, user);
}

/* The topic and author of e's forum target while the forum still holds its
 * first post (a reset empties the forum and numbers topics from the start
 * again): 0 when it is gone. Asked of the fake Discourse's store directly:
 * listing every post through its GET on each answer made the history's
 * replay quadratic (10 s under ASan for --history 600 at --rate 120). */
static long
forum_target(struct fake_sim *sim, const struct ev *e, char user[64])
{
	long topic = 0, id = 0;

	if (sscanf(e->target, "%ld %ld %63s", &topic, &id, user) != 3)
		return 0;
	return fake_discourse_opens_topic(sim->st, e->p, topic, id) ? topic : 0;
}

/* ---- the events ---- */

/* Runs EV_SHOP_ITEM: a new rating, thread, issue or topic. */
static void
shop_arrive(struct fake_sim *sim, const struct ev *e)
{
	static char *(*const arrive[SHOP_KINDS])(struct fake_sim *, const struct ev *) = {
		rating_arrive, thread_arrive, issue_arrive, forum_arrive};
	char *target;
	int64_t delay, more_at;

	if (sim->shop_gap_ms > 0)
		fake_sim_again(
			sim,
			e->at + 1 +
				(int64_t)fake_rng_exp(&sim->srng,
						      sim->shop_gap_ms * shop_defs[e->feed].share),
			EV_SHOP_ITEM, e->p, NULL, e->feed);
	if ((target = arrive[e->feed](sim, e)) == NULL)
		return;
	sim->made[MADE_SHOP_ITEMS]++;
	delay = shop_answer_delay(sim);
	if (delay >= 0)
		fake_sim_again(sim, e->at + delay, EV_SHOP_ANSWER, e->p, target, e->feed);
	/* The buyer writes again, once or twice, before the one answer. */
	more_at = e->at;
	for (int k = 0; e->feed != SHOP_RATING && k < 2 && fake_rng_unit(&sim->srng) < SHOP_MORE;
	     k++) {
		more_at += 3000 + (int64_t)fake_rng_below(&sim->srng, 20000);
		if (delay >= 0 && more_at >= e->at + delay)
			break;
		fake_sim_again(sim, more_at, EV_SHOP_MORE, e->p, target, e->feed);
	}
	free(target);
}

/* Runs EV_SHOP_MORE: the buyer's next message (or post) in e->target. */
static void
shop_more(struct fake_sim *sim, const struct ev *e)
{
	char user[64];
	long topic;
	bool ok;

	if (e->feed == SHOP_FORUM)
		ok = (topic = forum_target(sim, e, user)) > 0 &&
		     forum_post(sim, e, user, PICK(&sim->srng, forum_more), topic, false, NULL,
				NULL);
	else
		ok = shop_message(sim, e, e->feed == SHOP_ISSUE, "buyer", PICK(&sim->srng, more),
				  e->feed == SHOP_THREAD ? "MESSAGE_CENTER" : NULL);
	if (ok)
		sim->made[MADE_SHOP_ITEMS]++;
}

/* Runs EV_SHOP_ANSWER: the seller (or support) answers e->target. */
static void
shop_answer(struct fake_sim *sim, const struct ev *e)
{
	char user[64];
	long topic;
	bool ok;

	if (e->feed == SHOP_RATING)
		ok = rating_answer(sim, e);
	else if (e->feed == SHOP_FORUM)
		ok = (topic = forum_target(sim, e, user)) > 0 &&
		     forum_post(sim, e, SUPPORT, PICK(&sim->srng, forum_answers), topic, true, NULL,
				NULL);
	else
		ok = shop_message(sim, e, e->feed == SHOP_ISSUE, "seller",
				  PICK(&sim->srng, seller_answers),
				  e->feed == SHOP_THREAD ? "MESSAGE_CENTER" : NULL);
	if (ok)
		sim->made[MADE_SHOP_ANSWERS]++;
}

void
fake_shop_run(struct fake_sim *sim, const struct ev *e)
{
	if (e->feed >= SHOP_KINDS || (e->kind != EV_SHOP_ITEM && e->target == NULL))
		return;
	if (e->kind == EV_SHOP_ITEM)
		shop_arrive(sim, e);
	else if (e->kind == EV_SHOP_MORE)
		shop_more(sim, e);
	else
		shop_answer(sim, e);
}

void
fake_shop_seed(struct fake_sim *sim, int64_t start)
{
	for (unsigned k = 0; k < SHOP_KINDS && sim->shop_gap_ms > 0; k++) {
		int p = shop_platform((enum shop_kind)k);

		if (p >= 0)
			fake_sim_again(sim,
				       start + (int64_t)fake_rng_exp(&sim->srng,
								     sim->shop_gap_ms *
									     shop_defs[k].share),
				       EV_SHOP_ITEM, (enum fake_platform)p, NULL, k);
	}
}
