/* pw-appspec.h
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (PW_ENGINE_INSIDE) && !defined (PW_ENGINE_COMPILATION)
# error "Only <pw-engine.h> can be included directly."
#endif

#include <pw-core.h>

G_BEGIN_DECLS

typedef enum
{
  PW_APPSPEC_FILE_EXISTS_DISALLOW,
  PW_APPSPEC_FILE_EXISTS_OVERWRITE,
  PW_APPSPEC_FILE_EXISTS_RETAIN,
} PwAppspecFileExists;

/**
 * PwAppspecFile:
 * @source: relative to the bundle root, normalized; "" is the whole bundle
 * @destination: absolute instance path, normalized (`/opt/app`)
 */
typedef struct
{
  char *source;
  char *destination;
} PwAppspecFile;

/**
 * PwAppspecPermission:
 * @object: absolute instance path, normalized
 * @pattern: (nullable): glob limiting the entries; %NULL means all
 * @except: (nullable): globs of entries to leave alone
 * @owner: (nullable): user name
 * @group: (nullable): group name
 * @mode: the mode bits, or -1 to leave modes alone
 * @mode_text: (nullable): @mode as written (`"0644"`, `750`)
 * @type_file: `type` lists `file`
 * @type_directory: `type` lists `directory` (neither set: `type` absent)
 * @has_acls: `acls` given (not applied locally)
 * @has_context: `context` given (not applied locally)
 */
typedef struct
{
  char     *object;
  char     *pattern;
  GStrv     except;
  char     *owner;
  char     *group;
  int       mode;
  char     *mode_text;
  gboolean  type_file;
  gboolean  type_directory;
  gboolean  has_acls;
  gboolean  has_context;
} PwAppspecPermission;

/**
 * PwAppspecScript:
 * @location: relative to the bundle root, normalized
 * @timeout: seconds (default 3600)
 * @runas: (nullable): the user to run as
 */
typedef struct
{
  char  *location;
  guint  timeout;
  char  *runas;
} PwAppspecScript;

/**
 * PwAppspec:
 *
 * A checked EC2/on-premises `appspec.yml`. Every path it names is known to
 * exist in the bundle, so a deployment fails on a bad appspec before it
 * touches any instance.
 */
typedef struct
{
  char                *path;
  char                *bundle_dir;
  char                *os;
  PwAppspecFileExists  file_exists_behavior;
  GPtrArray           *files;        /* PwAppspecFile */
  GPtrArray           *permissions;  /* PwAppspecPermission */
  GHashTable          *hooks;        /* event name → GPtrArray of PwAppspecScript */
} PwAppspec;

#define PW_APPSPEC_DEFAULT_TIMEOUT 3600

PwAppspec  *pw_appspec_load       (const char   *bundle_dir,
                                   GError      **error);
PwAppspec  *pw_appspec_parse      (const char   *bundle_dir,
                                   const char   *filename,
                                   const char   *data,
                                   gssize        length,
                                   GError      **error);
GPtrArray  *pw_appspec_get_hook   (PwAppspec    *self,
                                   const char   *event);
const char *pw_appspec_file_exists_behavior_to_string (PwAppspecFileExists behavior);
void        pw_appspec_free       (PwAppspec    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwAppspec, pw_appspec_free)

G_END_DECLS
