/* Quoting for the command lines mvs prints for a person to run (resume hints, migration plans). */
#ifndef MVS_SHELLWORD_H
#define MVS_SHELLWORD_H

/* s as one POSIX shell word: as it is when every byte is plainly safe, else in single quotes (a quote
 * inside becomes '\''). malloc'd; NULL when out of memory. */
char *mvs_shell_word(const char *s);

#endif
