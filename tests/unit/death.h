/* death.h — runs a function in a child process and tells whether it
 * aborted. The code under test aborts on programming errors and impossible
 * sizes by design; a fork is the only way to watch that happen. */
#ifndef UNIT_DEATH_H
#define UNIT_DEATH_H

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static bool
dies_by_abort(void (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		/* The "fatal: ..." line is expected; keep the test log clean. */
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		signal(SIGABRT, SIG_DFL);
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

#endif
