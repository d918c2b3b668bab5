/*
 * rwbench.h: the commands of rwbench kept in files of their own.
 */
#ifndef REPLYWATCH_RWBENCH_H
#define REPLYWATCH_RWBENCH_H

/* rwbench_budget.c: "rwbench budget", a simulated day of YouTube and X
 * polled with poll_every "auto" and with the fixed interval that spends
 * the same quota; one line per scenario (see the file). Returns the exit
 * status. */
int rwbench_budget(void);

#endif
