/* mvs-export: placeholder until its issue lands; says so and fails. */
#include <stdio.h>
#include <string.h>

#include "mvs_cli.h"
#include "mvs_exit.h"

int main(int argc, char **argv)
{
	mvs_cli_init("mvs-export");
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		mvs_print_version();
		return MVS_EXIT_OK;
	}
	mvs_error("not implemented yet");
	return MVS_EXIT_FAILURE;
}
