/* Two models linked into one executable at build time, each called through
 * its own prefixed API (thunderc --name=first / --name=second): each answers
 * for itself, and an instance passed to the other model's functions is refused
 * with a message, not run by the wrong library. */
#include "first.h"
#include "second.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  thunder_model *a = NULL, *b = NULL;
  if (first_model_create(&a) != THUNDER_OK || second_model_create(&b) != THUNDER_OK) {
    printf("create failed: %s\n", first_last_error(NULL));
    return 1;
  }
  printf("first: %s params %zu backward %d\n", first_model_name(a), first_num_params(a),
         first_has_backward(a));
  printf("second: %s params %zu backward %d\n", second_model_name(b), second_num_params(b),
         second_has_backward(b));
  printf("generic abi %d, prefixed %d %d\n", thunder_abi_version(), first_abi_version(),
         second_abi_version());
  thunder_status st = second_release_saved(a);
  printf("mixed: %s: %s\n", second_status_string(st), second_last_error(NULL));
  st = first_release_saved(a);
  printf("own: %s\n", first_status_string(st));
  first_model_destroy(a);
  second_model_destroy(b);
  return 0;
}
