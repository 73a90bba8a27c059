/* test-sigv4.c
 *
 * Copyright 2026 The Pipewright Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* SigV4 against requests the AWS CLI (2.9.19) signed and a capture server
 * recorded (reference/api-json-protocol.md §6), and each way a request
 * can fail it, with the service's error for each. */

#include "config.h"

#include <string.h>

#include "pw-sigv4.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static const char *
secret_for (const char *access_key,
            gpointer    data)
{
  return g_str_equal (access_key, "AKIDEXAMPLE") ? SECRET : NULL;
}

static GHashTable *
headers (const char *target,
         const char *date,
         const char *signature)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (h, "host", g_strdup ("127.0.0.1:18080"));
  g_hash_table_insert (h, "content-type", g_strdup ("application/x-amz-json-1.1"));
  g_hash_table_insert (h, "x-amz-date", g_strdup (date));
  g_hash_table_insert (h, "x-amz-target", g_strdup_printf ("CodePipeline_20150709.%s", target));
  if (signature != NULL)
    g_hash_table_insert (h, "authorization",
                         g_strdup_printf ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/%.8s/us-east-1/codepipeline/"
                                          "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                                          "x-amz-target, Signature=%s", date, signature));
  return h;
}

/* 2026-11-22T07:55:55Z, when the CLI signed them. */
#define THEN 1795334155

static void
test_captured_vector (void)
{
  static const char * const names[] = { "content-type", "host", "x-amz-date", "x-amz-target", NULL };
  g_autoptr(GHashTable) h = headers ("ListPipelines", "20261122T075555Z", NULL);
  PwSigv4Request request = { "POST", "/", NULL, h, (const guint8 *)"{}", 2 };
  g_autofree char *canonical = pw_sigv4_canonical_request (&request, names);
  g_autofree char *to_sign = NULL;
  g_autofree char *signature = NULL;

  g_assert_cmpstr (canonical, ==,
                   "POST\n/\n\n"
                   "content-type:application/x-amz-json-1.1\n"
                   "host:127.0.0.1:18080\n"
                   "x-amz-date:20261122T075555Z\n"
                   "x-amz-target:CodePipeline_20150709.ListPipelines\n"
                   "\n"
                   "content-type;host;x-amz-date;x-amz-target\n"
                   "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  to_sign = pw_sigv4_string_to_sign ("20261122T075555Z", "20261122/us-east-1/codepipeline/aws4_request",
                                     canonical);
  g_assert_cmpstr (to_sign, ==,
                   "AWS4-HMAC-SHA256\n20261122T075555Z\n20261122/us-east-1/codepipeline/aws4_request\n"
                   "3b9364ffc1a6b483385e3e8d1602e9467936eb20a1145a9e6398853ef5dee630");
  signature = pw_sigv4_signature (SECRET, "20261122", "us-east-1", "codepipeline", to_sign);
  g_assert_cmpstr (signature, ==, "7ff5a21032b80092daf3334dbd95252b743e4f7a357183050174a65d4c8284ef");
}

static PwSigv4Result
verify (GHashTable *h,
        const char *body,
        gint64      now,
        char      **message)
{
  PwSigv4Request request = { "POST", "/", NULL, h, (const guint8 *)body, strlen (body) };

  return pw_sigv4_verify (&request, "us-east-1", "codepipeline", now, secret_for, NULL, message);
}

static void
test_verify (void)
{
  g_autofree char *message = NULL;
  GHashTable *h;

  /* The two captured requests verify, within the 15 minutes. */
  h = headers ("ListPipelines", "20261122T075555Z",
               "7ff5a21032b80092daf3334dbd95252b743e4f7a357183050174a65d4c8284ef");
  g_assert_cmpint (verify (h, "{}", THEN + 14 * 60, &message), ==, PW_SIGV4_OK);
  g_clear_pointer (&message, g_free);
  /* A body changed by a byte: the signature no longer matches. */
  g_assert_cmpint (verify (h, "{ }", THEN, &message), ==, PW_SIGV4_MISMATCH);
  g_assert_true (g_str_has_prefix (message, "The request signature we calculated does not match"));
  g_clear_pointer (&message, g_free);
  /* Replayed 16 minutes later. */
  g_assert_cmpint (verify (h, "{}", THEN + 16 * 60, &message), ==, PW_SIGV4_EXPIRED);
  g_assert_true (g_str_has_prefix (message, "Signature expired"));
  g_clear_pointer (&message, g_free);
  g_hash_table_unref (h);

  h = headers ("GetPipelineState", "20261122T075555Z",
               "8ec8df3d34362073fdc2c795d8668b3378c52f97b8ebde98c6fd5606bbe5b434");
  g_assert_cmpint (verify (h, "{\"name\": \"demo-pipeline\"}", THEN, &message), ==, PW_SIGV4_OK);
  g_clear_pointer (&message, g_free);
  /* Another access key id. */
  g_hash_table_insert (h, "authorization",
                       g_strdup ("AWS4-HMAC-SHA256 Credential=AKIDOTHER/20261122/us-east-1/codepipeline/"
                                 "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                 "Signature=00"));
  g_assert_cmpint (verify (h, "{}", THEN, &message), ==, PW_SIGV4_UNKNOWN_KEY);
  g_clear_pointer (&message, g_free);
  /* Signed for another service, another region. */
  g_hash_table_insert (h, "authorization",
                       g_strdup ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/s3/"
                                 "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                 "Signature=00"));
  g_assert_cmpint (verify (h, "{}", THEN, &message), ==, PW_SIGV4_WRONG_SCOPE);
  g_assert_cmpstr (message, ==, "Credential should be scoped to correct service: 'codepipeline'");
  g_clear_pointer (&message, g_free);
  g_hash_table_insert (h, "authorization",
                       g_strdup ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/codepipeline/"
                                 "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                 "Signature=00"));
  g_assert_cmpint (verify (h, "{}", THEN, &message), ==, PW_SIGV4_WRONG_SCOPE);
  g_clear_pointer (&message, g_free);
  /* No signature part; an x-amz-* header not signed; none at all. */
  g_hash_table_insert (h, "authorization",
                       g_strdup ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/codepipeline/"
                                 "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target"));
  g_assert_cmpint (verify (h, "{}", THEN, &message), ==, PW_SIGV4_INCOMPLETE);
  g_clear_pointer (&message, g_free);
  g_hash_table_insert (h, "authorization",
                       g_strdup ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/codepipeline/"
                                 "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00"));
  g_assert_cmpint (verify (h, "{}", THEN, &message), ==, PW_SIGV4_INCOMPLETE);
  g_assert_nonnull (strstr (message, "'x-amz-target' is sent but not signed"));
  g_clear_pointer (&message, g_free);
  g_hash_table_remove (h, "authorization");
  g_assert_cmpint (verify (h, "{}", THEN, &message), ==, PW_SIGV4_MISSING);
  g_assert_cmpstr (message, ==, "Missing Authentication Token");
  g_hash_table_unref (h);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/net/sigv4/captured-vector", test_captured_vector);
  g_test_add_func ("/net/sigv4/verify", test_verify);

  return g_test_run ();
}
