/* A model whose metadata is inconsistent (its forward entry does not return
 * output:1): creating it must fail cleanly with THUNDER_ERR_INTERNAL. */
#include <stdint.h>

const char thunder_model_meta[] =
    "{\"version\": 1, \"name\": \"bad\", \"target\": \"cpu\","
    " \"inputs\": [{\"name\": \"x\", \"dtype\": \"float32\", \"shape\": [2]}],"
    " \"outputs\": [{\"name\": \"y\", \"dtype\": \"float32\", \"shape\": [2]},"
    "               {\"name\": \"z\", \"dtype\": \"float32\", \"shape\": [2]}],"
    " \"entries\": {\"forward\": {\"args\": [\"input:0\"], \"results\": [\"output:0\"]}}}";

void thunder_entry_forward(void **args) { (void)args; }
