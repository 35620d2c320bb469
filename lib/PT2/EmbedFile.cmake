# Turns a file into a comma-separated list of byte values for `const unsigned char x[] = {
# #include "x.inc"
# };` (one long line).  Usage: cmake -DINPUT=<file> -DOUTPUT=<file.inc> -P EmbedFile.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE ",$" "" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "${bytes}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
