/* UUID version 4 text from 16 random bytes (the caller brings the randomness). */
#ifndef MINASIDOR_UUID_H
#define MINASIDOR_UUID_H

/* Sets the version and variant bits of b and writes "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
void uuid_v4_format(unsigned char b[static 16], char out[static 37]);

#endif
