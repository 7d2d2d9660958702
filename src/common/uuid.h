/* UUID version 4 text: from 16 bytes the caller brings, or from the kernel's random source. */
#ifndef MINASIDOR_UUID_H
#define MINASIDOR_UUID_H

/* Sets the version and variant bits of b and writes "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
void uuid_v4_format(unsigned char b[static 16], char out[static 37]);

/* A new random UUID (getrandom(2); aborts if the kernel cannot give randomness). */
void uuid_v4_random(char out[static 37]);

#endif
