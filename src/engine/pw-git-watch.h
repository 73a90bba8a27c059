/* pw-git-watch.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PW_TYPE_GIT_WATCH (pw_git_watch_get_type ())

G_DECLARE_FINAL_TYPE (PwGitWatch, pw_git_watch, PW, GIT_WATCH, GObject)

/**
 * PwGitWatch:
 *
 * Watches a local git repository's refs with file monitors (no polling)
 * and emits `new-commit` (const char *commit_id, const char *ref) when a
 * watched ref moves or appears: a commit, a merge, a reset, a push into
 * the repository, a new branch or tag. @ref is the full name
 * (`refs/heads/main`, `refs/tags/v1.0`); @commit_id is the commit it now
 * points at (tags are peeled). Bursts of changes are debounced.
 *
 * During the emission, pw_git_watch_get_previous_commit() and
 * pw_git_watch_get_changed_files() describe the push: the ref's former
 * commit and `git diff --name-only old new` (for a new ref: the files its
 * commit touched).
 */
PwGitWatch         *pw_git_watch_new                  (const char  *repo_dir,
                                                       const char  *branch,
                                                       GError     **error);
const char         *pw_git_watch_get_repo_dir         (PwGitWatch  *self);
const char         *pw_git_watch_get_branch           (PwGitWatch  *self);
const char         *pw_git_watch_get_previous_commit  (PwGitWatch  *self);
const char * const *pw_git_watch_get_changed_files    (PwGitWatch  *self);

gboolean            pw_git_trigger_matches            (JsonNode    *trigger_git_configuration,
                                                       const char  *branch,
                                                       const char  *tag,
                                                       GStrv        changed_files);

G_END_DECLS
