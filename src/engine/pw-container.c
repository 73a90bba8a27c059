/* pw-container.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pw-container"
#define _GNU_SOURCE

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "pw-engine-private.h"

/* Every process a build, hook, Lambda or command starts lives in a
 * container that ends with it, as CodeBuild's container does: a process
 * left in the background (`server &`, `setsid sleep 312 &`, a daemon that
 * double-forks) is killed when its container closes, and so is
 * everything when the runner dies, even by SIGKILL.
 *
 * A container is a keeper process. The runner does not start commands
 * itself: it asks the keeper, over a socket, to start them (passing the
 * descriptors of their standard streams), and the keeper tells it when
 * each one exits. The keeper is a child subreaper (PR_SET_CHILD_SUBREAPER),
 * so every orphan of its commands, whatever it did with sessions and
 * process groups, becomes its child rather than init's: closing the
 * container kills its children until it has none left. The commands get
 * PR_SET_PDEATHSIG too, so they die with their keeper. A keeper reads the
 * end of its socket when the runner closes the container or dies, and
 * then cleans up; it also removes the folders it was given (a build's
 * shell session, whose env.sh holds resolved secrets), so those do not
 * outlive a killed runner either.
 *
 * Where the kernel allows it (root, or CAP_SYS_ADMIN), the keeper is also
 * the init of a new PID namespace, with /proc mounted for it in a mount
 * namespace of its own: then the kernel itself kills everything in it
 * when the keeper goes, and no process inside can escape or signal it.
 *
 * Keepers are forked from a small "zygote" process, forked once from the
 * runner at the first container: a fork copies the page tables of the
 * process forked, and the runner's grow with its work, the zygote's do
 * not. The zygote and the keepers never call GLib (its locks may have been
 * held by another thread when the runner forked) and allocate nothing. */

#define MAX_PROCESSES   1024
#define MAX_CLEANUPS    8

enum {
  OP_SPAWN = 1,
  OP_SIGNAL,
  OP_REMOVE_ON_CLOSE,
  OP_SPAWNED,
  OP_EXITED,
  OP_CLEANED,
  OP_NEW,
  OP_READY,
};

/* A message; OP_REMOVE_ON_CLOSE carries a path after it. */
typedef struct
{
  guint32 op;
  guint32 id;
  gint32  value;
} Message;

/* The spawn request's strings, in a memfd: program, cwd (empty for none),
 * then argc arguments and envc variables, each NUL-terminated. */
typedef struct
{
  guint32 argc;
  guint32 envc;
} SpawnHeader;

#define SPAWN_HAS_STDIN 1

/* Child side: no GLib, no allocation ---------------------------------------- */

typedef struct
{
  pid_t   pid;
  guint32 id;
  gboolean reaped;
} Child;

static Child children[MAX_PROCESSES];
static char  cleanups[MAX_CLEANUPS][PATH_MAX];
static guint n_cleanups;
static int   keeper_sock = -1;

static void
send_message (int     sock,
              guint32 op,
              guint32 id,
              gint32  value)
{
  Message m = { op, id, value };

  while (send (sock, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

/* Reads one message and up to 4 descriptors; returns its size, 0 at the
 * end of the stream, -1 on error. */
static gssize
receive_message (int    sock,
                 void  *buffer,
                 gsize  size,
                 int   *fds,
                 guint *n_fds)
{
  union {
    char           buf[CMSG_SPACE (4 * sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { buffer, size };
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  gssize n;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  *n_fds = 0;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);

  for (cmsg = CMSG_FIRSTHDR (&msg); n >= 0 && cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
      {
        guint count = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);

        for (guint i = 0; i < count && *n_fds < 4; i++)
          memcpy (&fds[(*n_fds)++], CMSG_DATA (cmsg) + i * sizeof (int), sizeof (int));
      }

  return n;
}

static void
close_fds (int   *fds,
           guint  n_fds)
{
  for (guint i = 0; i < n_fds; i++)
    close (fds[i]);
}

/* The children of this process, read from /proc (CONFIG_PROC_CHILDREN),
 * into @pids; or -1 when the kernel does not list them. */
static int
list_children (pid_t *pids,
               int    max)
{
  char path[64];
  char buffer[8192];
  gssize n;
  int count = 0;
  int fd;

  snprintf (path, sizeof path, "/proc/self/task/%d/children", (int)getpid ());
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return -1;
  n = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (n < 0)
    return -1;
  buffer[n] = '\0';

  for (char *p = buffer; *p != '\0' && count < max;)
    {
      long value = 0;

      while (*p == ' ')
        p++;
      if (*p < '0' || *p > '9')
        break;
      while (*p >= '0' && *p <= '9')
        value = value * 10 + (*p++ - '0');
      pids[count++] = (pid_t)value;
    }

  return count;
}

/* The same by reading every /proc/PID/stat, where the list is missing. */
static int
scan_children (pid_t *pids,
               int    max)
{
  char buffer[4096];
  int count = 0;
  int dir;

  if ((dir = open ("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return 0;

  for (;;)
    {
      gssize n = syscall (SYS_getdents64, dir, buffer, sizeof buffer);

      if (n <= 0)
        break;
      for (gssize off = 0; off < n;)
        {
          struct { guint64 ino; gint64 off; unsigned short reclen; unsigned char type; char name[]; }
            *entry = (void *)(buffer + off);
          char path[64];
          char stat[512];
          const char *close_paren;
          gssize len;
          int fd;

          off += entry->reclen;
          if (entry->name[0] < '0' || entry->name[0] > '9' || count >= max)
            continue;
          snprintf (path, sizeof path, "/proc/%s/stat", entry->name);
          if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
            continue;
          len = read (fd, stat, sizeof stat - 1);
          close (fd);
          if (len <= 0)
            continue;
          stat[len] = '\0';
          /* "pid (comm) S ppid ...": comm may hold anything but ')'. */
          if ((close_paren = strrchr (stat, ')')) == NULL || close_paren[1] == '\0')
            continue;
          if (atoi (close_paren + 4) == getpid ())
            pids[count++] = atoi (entry->name);
        }
    }
  close (dir);

  return count;
}

static Child *
find_child_by_pid (pid_t pid)
{
  for (guint i = 0; i < MAX_PROCESSES; i++)
    if (children[i].pid == pid && !children[i].reaped)
      return &children[i];
  return NULL;
}

static Child *
find_child_by_id (guint32 id)
{
  for (guint i = 0; i < MAX_PROCESSES; i++)
    if (children[i].pid > 0 && children[i].id == id)
      return &children[i];
  return NULL;
}

/* Reaps one child: a command of ours is reported. Returns whether it was
 * a leftover (not one of the commands) that a SIGKILL ended. */
static gboolean
reaped (pid_t pid,
        int   status)
{
  Child *child = find_child_by_pid (pid);

  if (child != NULL)
    {
      child->reaped = TRUE;
      send_message (keeper_sock, OP_EXITED, child->id, status);
      return FALSE;
    }

  return WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
}

static void
reap_available (void)
{
  pid_t pid;
  int status;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    reaped (pid, status);
}

/* Kills every descendant: each child, then the orphans of those, which
 * become our children, until none is left. Returns how many leftovers
 * (processes that were not commands) it ended. */
static guint
kill_descendants (void)
{
  guint n_killed = 0;

  for (;;)
    {
      pid_t pids[512];
      int n = list_children (pids, G_N_ELEMENTS (pids));
      pid_t pid;
      int status;

      if (n < 0)
        n = scan_children (pids, G_N_ELEMENTS (pids));
      for (int i = 0; i < n; i++)
        kill (pids[i], SIGKILL);

      do
        pid = waitpid (-1, &status, 0);
      while (pid < 0 && errno == EINTR);
      if (pid < 0)
        break;
      if (reaped (pid, status))
        n_killed++;
    }

  return n_killed;
}

/* rm -rf of @name in @dir_fd, never following a symlink. */
static void
remove_tree_at (int         dir_fd,
                const char *name,
                guint       depth)
{
  char buffer[4096];
  int fd;

  if (unlinkat (dir_fd, name, 0) == 0 || errno == ENOENT)
    return;
  if (depth > 32 ||
      (fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    return;

  for (;;)
    {
      gssize n = syscall (SYS_getdents64, fd, buffer, sizeof buffer);
      gboolean removed = FALSE;

      if (n <= 0)
        break;
      for (gssize off = 0; off < n;)
        {
          struct { guint64 ino; gint64 off; unsigned short reclen; unsigned char type; char name[]; }
            *entry = (void *)(buffer + off);

          off += entry->reclen;
          if (strcmp (entry->name, ".") == 0 || strcmp (entry->name, "..") == 0)
            continue;
          remove_tree_at (fd, entry->name, depth + 1);
          removed = TRUE;
        }
      /* Entries went: read the folder again from its start. */
      if (removed)
        lseek (fd, 0, SEEK_SET);
    }
  close (fd);
  unlinkat (dir_fd, name, AT_REMOVEDIR);
}

/* Starts a command as our child, with vfork: this process is small, but
 * it still need not be copied. */
static pid_t
spawn_child (char  *payload,
             gsize  size,
             int    stdin_fd,
             int    out_fd,
             int    err_fd,
             int   *error_out)
{
  SpawnHeader header;
  char **pointers;
  gsize n_pointers;
  gsize pointers_size;
  char *p = payload + sizeof header;
  char *end = payload + size;
  const char *program;
  const char *cwd;
  char **argv;
  char **envp;
  volatile int child_errno = 0;
  pid_t pid;

  if (size < sizeof header + 2)
    {
      *error_out = EINVAL;
      return -1;
    }
  memcpy (&header, payload, sizeof header);
  if (header.argc == 0 || header.argc > size || header.envc > size)
    {
      *error_out = EINVAL;
      return -1;
    }

  n_pointers = header.argc + 1 + header.envc + 1;
  pointers_size = n_pointers * sizeof (char *);
  pointers = mmap (NULL, pointers_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
  if (pointers == MAP_FAILED)
    {
      *error_out = ENOMEM;
      return -1;
    }

  /* The strings follow each other, each ending in NUL. */
  {
    gsize k = 0;
    gsize wanted = 2 + header.argc + header.envc;
    char *strings[2];

    for (gsize i = 0; i < wanted; i++)
      {
        char *nul = memchr (p, '\0', end - p);

        if (p >= end || nul == NULL)
          {
            munmap (pointers, pointers_size);
            *error_out = EINVAL;
            return -1;
          }
        if (i < 2)
          strings[i] = p;
        else
          {
            pointers[k++] = p;
            if (k == header.argc)
              pointers[k++] = NULL;
          }
        p = nul + 1;
      }
    pointers[k] = NULL;
    program = strings[0];
    cwd = strings[1];
  }
  argv = pointers;
  envp = pointers + header.argc + 1;

  pid = vfork ();
  if (pid == 0)
    {
      sigset_t mask;

      /* Its own group, so a stop reaches what it started; and it dies
       * with its keeper. */
      setpgid (0, 0);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
          signal (sig, SIG_DFL);
      sigemptyset (&mask);
      sigprocmask (SIG_SETMASK, &mask, NULL);

      if (stdin_fd >= 0)
        dup2 (stdin_fd, 0);
      else
        {
          int null_fd = open ("/dev/null", O_RDONLY);

          if (null_fd >= 0 && null_fd != 0)
            {
              dup2 (null_fd, 0);
              close (null_fd);
            }
        }
      dup2 (out_fd, 1);
      dup2 (err_fd, 2);
      if (cwd[0] != '\0' && chdir (cwd) != 0)
        {
          child_errno = errno;
          _exit (127);
        }
      close_range (3, ~0U, 0);
      execve (program, argv, envp);
      child_errno = errno;
      _exit (127);
    }

  munmap (pointers, pointers_size);

  if (pid < 0)
    {
      *error_out = errno;
      return -1;
    }
  if (child_errno != 0)
    {
      int status;

      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      *error_out = child_errno;
      return -1;
    }

  return pid;
}

static void
handle_spawn (const Message *m,
              int           *fds,
              guint          n_fds)
{
  gboolean has_stdin = (m->value & SPAWN_HAS_STDIN) != 0;
  guint wanted = has_stdin ? 4 : 3;
  struct stat st;
  char *payload = MAP_FAILED;
  int error = 0;
  pid_t pid = -1;

  if (n_fds != wanted || fstat (fds[0], &st) != 0 || st.st_size <= 0)
    error = EINVAL;
  else if ((payload = mmap (NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fds[0], 0))
           == MAP_FAILED)
    error = errno;
  else
    pid = spawn_child (payload, st.st_size, has_stdin ? fds[1] : -1,
                       fds[n_fds - 2], fds[n_fds - 1], &error);

  if (payload != MAP_FAILED)
    munmap (payload, st.st_size);
  close_fds (fds, n_fds);

  if (pid > 0)
    {
      Child *slot = NULL;

      /* A free slot, or the oldest reaped one. */
      for (guint i = 0; i < MAX_PROCESSES && slot == NULL; i++)
        if (children[i].pid == 0)
          slot = &children[i];
      for (guint i = 0; i < MAX_PROCESSES && slot == NULL; i++)
        if (children[i].reaped)
          slot = &children[i];
      if (slot == NULL)
        {
          kill (pid, SIGKILL);
          error = EAGAIN;
        }
      else
        {
          slot->pid = pid;
          slot->id = m->id;
          slot->reaped = FALSE;
        }
    }

  send_message (keeper_sock, OP_SPAWNED, m->id, error);
}

/* What a process started from the runner sets up first: no descriptor of
 * the runner's (they would hold its pipes open), standard streams on
 * /dev/null, every signal at its default but SIGCHLD (read with a
 * signalfd) and SIGPIPE (ignored: a runner that died must not kill us
 * mid-cleanup), and a group of its own, away from the terminal's ^C. */
static int
child_setup (int sock)
{
  sigset_t mask;
  int null_fd;

  if (sock != 3)
    {
      dup2 (sock, 3);
      sock = 3;
    }
  close_range (4, ~0U, 0);
  if ((null_fd = open ("/dev/null", O_RDWR)) >= 0)
    {
      dup2 (null_fd, 0);
      dup2 (null_fd, 1);
      dup2 (null_fd, 2);
      if (null_fd > 3)
        close (null_fd);
    }

  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  signal (SIGPIPE, SIG_IGN);
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigprocmask (SIG_SETMASK, &mask, NULL);
  setpgid (0, 0);
  prctl (PR_SET_CHILD_SUBREAPER, 1);

  return signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Waits for a message on fds[0] or a SIGCHLD on the signalfd fds[1] (when
 * @sigfd is one), and drains the latter. Returns FALSE when poll() fails
 * for good; *@exited says whether children exited. */
static gboolean
wait_for_events (struct pollfd *fds,
                 int            sigfd,
                 gboolean      *exited)
{
  *exited = FALSE;

  while (poll (fds, sigfd >= 0 ? 2 : 1, -1) < 0)
    if (errno != EINTR)
      return FALSE;

  if (sigfd >= 0 && (fds[1].revents & POLLIN) != 0)
    {
      struct signalfd_siginfo info;

      while (read (sigfd, &info, sizeof info) > 0)
        ;
      *exited = TRUE;
    }

  return TRUE;
}

/* In a PID namespace of its own (and a mount namespace), the keeper
 * mounts a /proc that shows it, so `ps`, `pgrep` and /proc/$pid inside
 * agree with the pids the commands see. */
static gboolean
mount_proc (void)
{
  /* Our mounts must not reach the runner's namespace. */
  return mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0 &&
         mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
}

G_GNUC_NORETURN static void
keeper_main (int      sock,
             gboolean pid_namespace)
{
  struct pollfd fds[2];
  int sigfd = child_setup (sock);
  gboolean open_to_runner = TRUE;
  guint n_killed;

  keeper_sock = 3;

  if (pid_namespace && !mount_proc ())
    {
      /* Without its own /proc, `ps` and /proc/$pid inside would show the
       * runner's numbering: say so, and the runner asks for a keeper
       * without a namespace. */
      send_message (keeper_sock, OP_READY, 0, -1);
      _exit (3);
    }
  send_message (keeper_sock, OP_READY, 0, pid_namespace ? 1 : 0);

  fds[0].fd = keeper_sock;
  fds[0].events = POLLIN;
  fds[1].fd = sigfd;
  fds[1].events = POLLIN;

  while (open_to_runner)
    {
      gboolean exited;

      if (!wait_for_events (fds, sigfd, &exited))
        break;
      if (exited)
        reap_available ();

      if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
        {
          union { Message m; char bytes[sizeof (Message) + PATH_MAX]; } buffer;
          int received[4];
          guint n_received;
          gssize n = receive_message (keeper_sock, &buffer, sizeof buffer, received, &n_received);

          if (n <= 0)
            {
              close_fds (received, n_received);
              open_to_runner = FALSE;
              break;
            }

          switch (buffer.m.op)
            {
            case OP_SPAWN:
              handle_spawn (&buffer.m, received, n_received);
              break;

            case OP_SIGNAL:
              {
                Child *child = find_child_by_id (buffer.m.id);

                if (child != NULL && kill (-child->pid, buffer.m.value) != 0 && !child->reaped)
                  kill (child->pid, buffer.m.value);
                close_fds (received, n_received);
              }
              break;

            case OP_REMOVE_ON_CLOSE:
              if (n > (gssize)sizeof (Message) && n_cleanups < MAX_CLEANUPS &&
                  (gsize)(n - sizeof (Message)) < PATH_MAX)
                {
                  memcpy (cleanups[n_cleanups], buffer.bytes + sizeof (Message),
                          n - sizeof (Message));
                  cleanups[n_cleanups][n - sizeof (Message)] = '\0';
                  n_cleanups++;
                }
              close_fds (received, n_received);
              break;

            default:
              close_fds (received, n_received);
              break;
            }
        }
    }

  /* The container closes, or the runner is gone. */
  n_killed = kill_descendants ();
  for (guint i = 0; i < n_cleanups; i++)
    if (cleanups[i][0] == '/')
      remove_tree_at (AT_FDCWD, cleanups[i], 0);
  send_message (keeper_sock, OP_CLEANED, 0, (gint32)n_killed);
  _exit (0);
}

/* Whether to try a PID namespace: once it failed, not again. */
static gboolean zygote_try_namespaces = TRUE;
/* The zygote's keepers: its other children are orphans of a dead one. */
static pid_t keepers[MAX_PROCESSES];

static gboolean
is_keeper (pid_t pid)
{
  for (guint i = 0; i < MAX_PROCESSES; i++)
    if (keepers[i] == pid)
      return TRUE;
  return FALSE;
}

/* Kills the zygote's children that are not keepers, and what they leave,
 * until only keepers remain. */
static void
kill_orphans (void)
{
  for (;;)
    {
      pid_t pids[512];
      int n = list_children (pids, G_N_ELEMENTS (pids));
      guint killed = 0;
      int status;

      if (n < 0)
        n = scan_children (pids, G_N_ELEMENTS (pids));
      for (int i = 0; i < n; i++)
        if (!is_keeper (pids[i]) && kill (pids[i], SIGKILL) == 0)
          killed++;
      if (killed == 0)
        return;
      /* Reap what died (keepers that end meanwhile are reaped too). */
      for (guint i = 0; i < killed; i++)
        {
          pid_t pid = waitpid (-1, &status, 0);

          if (pid < 0 && errno != EINTR)
            break;
          for (guint k = 0; pid > 0 && k < MAX_PROCESSES; k++)
            if (keepers[k] == pid)
              keepers[k] = 0;
        }
    }
}

G_GNUC_NORETURN static void
zygote_main (int sock)
{
  struct pollfd fds[2];
  int sigfd = child_setup (sock);

  sock = 3;
  fds[0].fd = sock;
  fds[0].events = POLLIN;
  fds[1].fd = sigfd;
  fds[1].events = POLLIN;

  for (;;)
    {
      Message m;
      int received[4];
      guint n_received;
      gboolean exited;
      gssize n;

      if (!wait_for_events (fds, sigfd, &exited))
        break;

      /* Keepers, and the orphans of a keeper that was killed (a build can
       * kill its keeper where it is not a namespace's init): they became
       * ours, and are killed here. */
      if (exited)
        {
          gboolean keeper_died = FALSE;
          pid_t pid;
          int status;

          while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
            for (guint i = 0; i < MAX_PROCESSES; i++)
              if (keepers[i] == pid)
                {
                  keepers[i] = 0;
                  keeper_died = TRUE;
                }
          if (keeper_died)
            kill_orphans ();
        }

      if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
        continue;

      n = receive_message (sock, &m, sizeof m, received, &n_received);
      if (n <= 0)
        break;

      if (m.op == OP_NEW && n_received == 1)
        {
          gboolean namespaced = FALSE;
          pid_t pid;

          /* unshare(CLONE_NEWPID) places our next child, the keeper, in
           * a new namespace as its init; the keeper makes the mount
           * namespace itself, which would otherwise be ours too. */
          if (zygote_try_namespaces && m.value != 0)
            {
              namespaced = unshare (CLONE_NEWPID) == 0;
              if (!namespaced)
                zygote_try_namespaces = FALSE;
            }

          pid = fork ();
          if (pid == 0)
            {
              close (sock);
              if (sigfd >= 0)
                close (sigfd);
              if (namespaced && unshare (CLONE_NEWNS) != 0)
                {
                  send_message (received[0], OP_READY, 0, -1);
                  _exit (3);
                }
              keeper_main (received[0], namespaced);
            }
          close (received[0]);
          for (guint i = 0; pid > 0 && i < MAX_PROCESSES; i++)
            if (keepers[i] == 0)
              {
                keepers[i] = pid;
                break;
              }

          /* A PID namespace is per fork: the next keeper gets its own. */
          if (namespaced)
            {
              int self = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);

              if (self < 0 || setns (self, CLONE_NEWPID) != 0)
                zygote_try_namespaces = FALSE;
              if (self >= 0)
                close (self);
            }
        }
      else
        close_fds (received, n_received);
    }

  /* The runner is gone: the keepers see it too and clean up; what a
   * killed keeper left behind is ours to kill. */
  kill_descendants ();
  _exit (0);
}

/* Runner side ---------------------------------------------------------------- */

typedef struct
{
  PwContainerExitFunc func;
  gpointer            user_data;
} Waiter;

typedef struct
{
  GSource       source;
  PwContainer  *container;
  gpointer      tag;
} ContainerSource;

struct _PwContainer
{
  gatomicrefcount  ref_count;
  GMutex           send_lock;
  int              sock;
  GMainContext    *context;
  GSource         *source;
  /* id → Waiter */
  GHashTable      *waiters;
  /* Messages read while waiting for a spawn's answer, for the source. */
  GQueue           pending;
  guint            next_id;
  gboolean         closing;
  gboolean         closed;
  guint            n_killed;
  GPtrArray       *close_tasks;
};

static GMutex zygote_lock;
static int    zygote_sock = -1;
static pid_t  zygote_pid;
/* Set when a keeper could not have its PID namespace: ask no more. */
static gint   namespaces_failed;
/* Once a keeper was ready as asked, the next ones are not waited for:
 * their readiness comes before anything else they say. */
static gboolean keepers_known;

static void container_dispatch_message (PwContainer   *self,
                                        const Message *m);

static gboolean
set_send_error (GError     **error,
                int          saved_errno,
                const char  *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "Cannot %s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

/* The zygote, forked at the first container; again if it died. */
static gboolean
ensure_zygote (GError **error)
{
  int sv[2];
  pid_t pid;

  if (zygote_sock >= 0)
    return TRUE;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return set_send_error (error, errno, "make a socket for the process keeper");

  pid = fork ();
  if (pid < 0)
    {
      int saved_errno = errno;

      close (sv[0]);
      close (sv[1]);
      return set_send_error (error, saved_errno, "start the process keeper");
    }
  if (pid == 0)
    {
      close (sv[0]);
      zygote_main (sv[1]);
    }

  close (sv[1]);
  zygote_sock = sv[0];
  zygote_pid = pid;

  return TRUE;
}

static gboolean
send_with_fds (int            sock,
               const void    *data,
               gsize          size,
               const int     *fds,
               guint          n_fds)
{
  union {
    char           buf[CMSG_SPACE (4 * sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { (void *)data, size };
  struct msghdr msg = { 0 };
  gssize n;

  g_assert (n_fds <= 4);

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (n_fds > 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (n_fds * sizeof (int));
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (n_fds * sizeof (int));
      memcpy (CMSG_DATA (cmsg), fds, n_fds * sizeof (int));
    }

  do
    n = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);

  return n == (gssize)size;
}

/* Reads what the keeper said, without blocking unless @block. Returns
 * FALSE at its end. */
static gboolean
read_messages (PwContainer *self,
               gboolean     block)
{
  for (;;)
    {
      Message m;
      gssize n;

      n = recv (self->sock, &m, sizeof m, block ? 0 : MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        return FALSE;
      if (n == sizeof m)
        g_queue_push_tail (&self->pending, g_memdup2 (&m, sizeof m));
      if (block)
        return TRUE;
    }
}

static void
finish_close (PwContainer *self)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->close_tasks);

  self->closed = TRUE;
  if (self->sock >= 0)
    {
      close (self->sock);
      self->sock = -1;
    }

  /* A command whose exit was never told (the keeper died) ended with it. */
  if (g_hash_table_size (self->waiters) > 0)
    {
      g_autoptr(GList) ids = g_hash_table_get_keys (self->waiters);

      for (GList *l = ids; l != NULL; l = l->next)
        {
          Message m = { OP_EXITED, GPOINTER_TO_UINT (l->data), SIGKILL };

          container_dispatch_message (self, &m);
        }
    }

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    g_task_return_int (g_ptr_array_index (tasks, i), self->n_killed);
}

static void
container_dispatch_message (PwContainer   *self,
                            const Message *m)
{
  switch (m->op)
    {
    case OP_EXITED:
      {
        Waiter *waiter = g_hash_table_lookup (self->waiters, GUINT_TO_POINTER (m->id));
        Waiter copy;

        if (waiter == NULL)
          break;
        copy = *waiter;
        g_hash_table_remove (self->waiters, GUINT_TO_POINTER (m->id));
        copy.func (m->value, copy.user_data);
      }
      break;

    case OP_CLEANED:
      self->n_killed = m->value;
      break;

    default:
      break;
    }
}

static gboolean
container_source_check (GSource *source)
{
  ContainerSource *cs = (ContainerSource *)source;

  return cs->container->pending.length > 0 ||
         g_source_query_unix_fd (source, cs->tag) != 0;
}

static gboolean
container_source_prepare (GSource *source,
                          int     *timeout)
{
  *timeout = -1;
  return ((ContainerSource *)source)->container->pending.length > 0;
}

static gboolean
container_source_dispatch (GSource     *source,
                           GSourceFunc  callback,
                           gpointer     user_data)
{
  ContainerSource *cs = (ContainerSource *)source;
  g_autoptr(PwContainer) self = _pw_container_ref (cs->container);
  gboolean open = TRUE;
  Message *m;

  if (self->sock >= 0 && g_source_query_unix_fd (source, cs->tag) != 0)
    open = read_messages (self, FALSE);

  while ((m = g_queue_pop_head (&self->pending)) != NULL)
    {
      container_dispatch_message (self, m);
      g_free (m);
    }

  if (!open)
    {
      finish_close (self);
      cs->container = NULL;
      g_clear_pointer (&self->source, g_source_unref);
      /* The source's reference. */
      _pw_container_unref (self);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs container_source_funcs = {
  container_source_prepare,
  container_source_check,
  container_source_dispatch,
  NULL,
  NULL,
  NULL,
};

/**
 * _pw_container_new:
 * @error: return location for an error
 *
 * Starts a container (see the top of this file), whose exits are
 * reported on the thread-default main context.
 *
 * Returns: (transfer full) (nullable): the container
 */
/* Asks the zygote for a keeper on a new socket; returns our end once the
 * keeper said it is ready, or -1 (and *@retry when a keeper without a
 * namespace may do). */
static int
start_keeper (gboolean   namespaced,
              gboolean  *retry,
              GError   **error)
{
  Message m = { OP_NEW, 0, namespaced };
  Message ready;
  int sv[2];
  gssize n;

  *retry = FALSE;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    {
      set_send_error (error, errno, "make a socket for a process keeper");
      return -1;
    }

  for (guint attempt = 0;; attempt++)
    {
      if (!ensure_zygote (error))
        {
          close (sv[0]);
          close (sv[1]);
          return -1;
        }
      if (send_with_fds (zygote_sock, &m, sizeof m, &sv[1], 1))
        break;

      /* It died: reap it and start another. */
      close (zygote_sock);
      zygote_sock = -1;
      waitpid (zygote_pid, NULL, WNOHANG);
      if (attempt == 1)
        {
          close (sv[0]);
          close (sv[1]);
          set_send_error (error, EPIPE, "reach the process keeper");
          return -1;
        }
    }
  close (sv[1]);

  if (keepers_known)
    return sv[0];

  do
    n = recv (sv[0], &ready, sizeof ready, 0);
  while (n < 0 && errno == EINTR);

  if (n != sizeof ready || ready.op != OP_READY || ready.value < 0)
    {
      close (sv[0]);
      *retry = namespaced;
      if (!namespaced)
        set_send_error (error, n < 0 ? errno : EPIPE, "start a process keeper");
      return -1;
    }

  if (namespaced && ready.value == 0)
    g_atomic_int_set (&namespaces_failed, TRUE);
  keepers_known = TRUE;

  return sv[0];
}

/**
 * _pw_container_new:
 * @error: return location for an error
 *
 * Starts a container (see the top of this file), whose exits are
 * reported on the thread-default main context.
 *
 * Returns: (transfer full) (nullable): the container
 */
PwContainer *
_pw_container_new (GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&zygote_lock);
  PwContainer *self;
  ContainerSource *cs;
  gboolean retry;
  int sock;

  sock = start_keeper (g_strcmp0 (_pw_container_get_kind (), "namespace") == 0, &retry, error);
  if (sock < 0 && retry)
    {
      /* No namespace here (no CAP_SYS_ADMIN, or no /proc to mount in it):
       * keepers are subreapers from now on. */
      g_debug ("No PID namespace for containers; using a subreaper");
      g_atomic_int_set (&namespaces_failed, TRUE);
      sock = start_keeper (FALSE, &retry, error);
    }
  if (sock < 0)
    return NULL;

  self = g_new0 (PwContainer, 1);
  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->send_lock);
  self->sock = sock;
  self->context = g_main_context_ref_thread_default ();
  self->waiters = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_queue_init (&self->pending);
  self->next_id = 1;

  self->source = g_source_new (&container_source_funcs, sizeof (ContainerSource));
  cs = (ContainerSource *)self->source;
  cs->container = _pw_container_ref (self);
  cs->tag = g_source_add_unix_fd (self->source, self->sock, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_static_name (self->source, "[pipewright] container");
  g_source_attach (self->source, self->context);

  return self;
}

PwContainer *
_pw_container_ref (PwContainer *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_pw_container_unref (PwContainer *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  /* The source holds a reference while open, so it is gone already. */
  g_assert (self->source == NULL);
  if (self->sock >= 0)
    close (self->sock);
  g_hash_table_unref (self->waiters);
  g_queue_clear_full (&self->pending, g_free);
  g_clear_pointer (&self->close_tasks, g_ptr_array_unref);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->send_lock);
  g_free (self);
}

/**
 * _pw_container_remove_on_close:
 * @self: a container
 * @path: an absolute folder
 *
 * Has the keeper remove @path when the container closes, or when the
 * runner dies. Any thread.
 */
void
_pw_container_remove_on_close (PwContainer *self,
                               const char  *path)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->send_lock);
  gsize length = strlen (path);
  g_autofree char *buffer = NULL;
  Message m = { OP_REMOVE_ON_CLOSE, 0, 0 };

  g_return_if_fail (g_path_is_absolute (path));

  if (self->sock < 0 || length >= PATH_MAX)
    return;

  buffer = g_malloc (sizeof m + length);
  memcpy (buffer, &m, sizeof m);
  memcpy (buffer + sizeof m, path, length);
  send_with_fds (self->sock, buffer, sizeof m + length, NULL, 0);
}

/* The spawn request's strings, in a sealed-size memfd the keeper maps. */
static int
write_payload (const char          *program,
               const char * const  *argv,
               const char          *cwd,
               const char * const  *envp,
               GError             **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  SpawnHeader header = { g_strv_length ((char **)argv), g_strv_length ((char **)envp) };
  const guint8 *p;
  gsize left;
  int fd;

  g_byte_array_append (data, (const guint8 *)&header, sizeof header);
  g_byte_array_append (data, (const guint8 *)program, strlen (program) + 1);
  g_byte_array_append (data, (const guint8 *)(cwd != NULL ? cwd : ""),
                       (cwd != NULL ? strlen (cwd) : 0) + 1);
  for (guint i = 0; argv[i] != NULL; i++)
    g_byte_array_append (data, (const guint8 *)argv[i], strlen (argv[i]) + 1);
  for (guint i = 0; envp[i] != NULL; i++)
    g_byte_array_append (data, (const guint8 *)envp[i], strlen (envp[i]) + 1);

  fd = memfd_create ("pipewright-spawn", MFD_CLOEXEC);
  if (fd < 0)
    {
      set_send_error (error, errno, "pass a command to its process keeper");
      return -1;
    }

  for (p = data->data, left = data->len; left > 0;)
    {
      gssize n = write (fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_send_error (error, errno, "pass a command to its process keeper");
          close (fd);
          return -1;
        }
      p += n;
      left -= n;
    }

  return fd;
}

/**
 * _pw_container_spawn:
 * @self: an open container
 * @program: the program's path
 * @argv: its arguments
 * @cwd: (nullable): its folder
 * @envp: its whole environment
 * @stdin_fd: its standard input, or -1 for /dev/null
 * @out_fd: its standard output
 * @err_fd: its standard error
 * @exited: called with its wait status once it exits
 * @user_data: for @exited
 * @id: (out): what _pw_container_signal() takes
 * @error: return location for an error
 *
 * Starts a command in the container, in a process group of its own. On
 * the container's main context only.
 *
 * Returns: %TRUE when it started
 */
gboolean
_pw_container_spawn (PwContainer          *self,
                     const char           *program,
                     const char * const   *argv,
                     const char           *cwd,
                     const char * const   *envp,
                     int                   stdin_fd,
                     int                   out_fd,
                     int                   err_fd,
                     PwContainerExitFunc   exited,
                     gpointer              user_data,
                     guint                *id,
                     GError              **error)
{
  Message m = { OP_SPAWN, 0, 0 };
  int fds[4];
  guint n_fds = 0;
  int payload;
  gboolean sent;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->closing || self->sock < 0)
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_CANCELLED,
                   "Cannot run '%s': its container is closed", argv[0]);
      return FALSE;
    }

  payload = write_payload (program, argv, cwd, envp, error);
  if (payload < 0)
    return FALSE;

  m.id = self->next_id++;
  m.value = stdin_fd >= 0 ? SPAWN_HAS_STDIN : 0;
  fds[n_fds++] = payload;
  if (stdin_fd >= 0)
    fds[n_fds++] = stdin_fd;
  fds[n_fds++] = out_fd;
  fds[n_fds++] = err_fd;

  g_mutex_lock (&self->send_lock);
  sent = send_with_fds (self->sock, &m, sizeof m, fds, n_fds);
  g_mutex_unlock (&self->send_lock);
  close (payload);
  if (!sent)
    return set_send_error (error, errno != 0 ? errno : EPIPE, "reach the process keeper");

  /* The answer comes next; exits of other commands may come first. */
  for (;;)
    {
      GList *last;
      Message *answer;

      /* The keeper died before it answered: it got the request, and a
       * command it started dies with it (PR_SET_PDEATHSIG) — a command
       * that kills its own keeper may do so before the answer is sent.
       * The command ended as the keeper did, killed, as an exit the
       * closing container reports. */
      if (!read_messages (self, TRUE))
        break;

      last = g_queue_peek_tail_link (&self->pending);
      answer = last != NULL ? last->data : NULL;
      if (answer == NULL || answer->op != OP_SPAWNED || answer->id != m.id)
        continue;

      g_queue_delete_link (&self->pending, last);
      if (answer->value != 0)
        {
          int saved_errno = answer->value;

          g_free (answer);
          return _pw_set_spawn_error (error, saved_errno, argv[0], cwd);
        }
      g_free (answer);
      break;
    }

  {
    Waiter *waiter = g_new0 (Waiter, 1);

    waiter->func = exited;
    waiter->user_data = user_data;
    g_hash_table_insert (self->waiters, GUINT_TO_POINTER (m.id), waiter);
  }

  /* Exits read while waiting are the source's to hand out. */
  if (self->pending.length > 0)
    g_main_context_wakeup (self->context);

  *id = m.id;

  return TRUE;
}

/**
 * _pw_container_signal:
 * @self: a container
 * @id: a command it started
 * @signum: the signal
 *
 * Sends @signum to the process group of the command @id (also after the
 * command itself exited, to what it left in its group).
 */
void
_pw_container_signal (PwContainer *self,
                      guint        id,
                      int          signum)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->send_lock);
  Message m = { OP_SIGNAL, id, signum };

  if (self->sock >= 0)
    send_with_fds (self->sock, &m, sizeof m, NULL, 0);
}

/**
 * _pw_container_close_async:
 * @self: a container
 * @callback: called once every process of the container is gone
 * @user_data: for @callback
 *
 * Kills what still runs in the container, removes the folders given to
 * _pw_container_remove_on_close(), and calls back once the keeper is done.
 */
void
_pw_container_close_async (PwContainer         *self,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, _pw_container_close_async);

  if (self->closed)
    {
      g_task_return_int (task, self->n_killed);
      g_object_unref (task);
      return;
    }

  if (self->close_tasks == NULL)
    self->close_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->close_tasks, task);

  if (!self->closing)
    {
      self->closing = TRUE;
      /* The keeper reads the end of the stream, cleans up, says how many
       * leftovers it killed, and exits: the source then sees the end. */
      shutdown (self->sock, SHUT_WR);
    }
}

/**
 * _pw_container_close_finish:
 *
 * Returns: how many processes left running in the background were killed
 */
guint
_pw_container_close_finish (PwContainer  *self,
                            GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);

  return (guint)g_task_propagate_int (G_TASK (result), NULL);
}

/* What a failed exec says: the folder when it is the one missing. */
gboolean
_pw_set_spawn_error (GError     **error,
                     int          saved_errno,
                     const char  *program,
                     const char  *cwd)
{
  if (saved_errno == ENOENT && cwd != NULL && !g_file_test (cwd, G_FILE_TEST_IS_DIR))
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Cannot run '%s' in '%s': %s", program, cwd, g_strerror (saved_errno));
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Cannot run '%s': %s", program, g_strerror (saved_errno));
  return FALSE;
}

/**
 * _pw_container_get_kind:
 *
 * Returns: "namespace" when containers are PID namespaces, "subreaper"
 *   otherwise (after the first container was made)
 */
const char *
_pw_container_get_kind (void)
{
  return g_atomic_int_get (&namespaces_failed) ||
         g_strcmp0 (g_getenv ("PIPEWRIGHT_CONTAINER"), "subreaper") == 0
         ? "subreaper" : "namespace";
}

/**
 * pw_engine_prepare_keepers:
 *
 * Starts the process that forks each build's keeper now. A fork copies
 * the page tables of the process it is made from: a GTK app's are large,
 * so keepers forked from a copy of it cost milliseconds each, and a run of
 * a hundred actions in the window took twice as long as in the CLI. Called
 * first thing in main(), while the process is small, the keepers come as
 * cheap as the CLI's.
 */
gboolean
pw_engine_prepare_keepers (GError **error)
{
  return ensure_zygote (error);
}
