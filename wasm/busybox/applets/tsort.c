/* tsort for busybox 1.35 (which has none): our own small implementation, copied into the
 * source tree's coreutils/ by wasm/busybox/build.sh. Reads pairs of whitespace-separated
 * words ("a b": a comes before b) and prints a total order: Kahn's algorithm, ready nodes
 * taken in the order they first appeared. A cycle is reported and its nodes printed anyway. */
//config:config TSORT
//config:	bool "tsort (2 kb)"
//config:	default y
//config:	help
//config:	Topological sort of the partial order given as pairs of words.

//applet:IF_TSORT(APPLET(tsort, BB_DIR_USR_BIN, BB_SUID_DROP))

//kbuild:lib-$(CONFIG_TSORT) += tsort.o

//usage:#define tsort_trivial_usage
//usage:       "[FILE]"
//usage:#define tsort_full_usage "\n\n"
//usage:       "Topological sort"

#include "libbb.h"

struct node {
	char *name;
	unsigned indeg;
	unsigned nsucc, capsucc;
	unsigned *succ;
	smallint done;
};

static struct node *nodes;
static unsigned nnodes, capnodes;

static unsigned node_of(const char *name)
{
	unsigned i;
	for (i = 0; i < nnodes; i++)
		if (strcmp(nodes[i].name, name) == 0)
			return i;
	if (nnodes == capnodes) {
		capnodes = capnodes ? capnodes * 2 : 64;
		nodes = xrealloc(nodes, capnodes * sizeof(*nodes));
	}
	memset(&nodes[nnodes], 0, sizeof(*nodes));
	nodes[nnodes].name = xstrdup(name);
	return nnodes++;
}

static void add_edge(unsigned a, unsigned b)
{
	struct node *n = &nodes[a];
	if (a == b)
		return; /* "a a" only declares a */
	if (n->nsucc == n->capsucc) {
		n->capsucc = n->capsucc ? n->capsucc * 2 : 4;
		n->succ = xrealloc(n->succ, n->capsucc * sizeof(*n->succ));
	}
	n->succ[n->nsucc++] = b;
	nodes[b].indeg++;
}

int tsort_main(int argc, char **argv) MAIN_EXTERNALLY_VISIBLE;
int tsort_main(int argc UNUSED_PARAM, char **argv)
{
	FILE *fp;
	char *line, *word, *pending = NULL;
	unsigned *queue, head = 0, tail = 0, printed = 0, i;
	int status = EXIT_SUCCESS;

	getopt32(argv, "");
	argv += optind;
	fp = xfopen_stdin(argv[0] ? argv[0] : "-");

	while ((line = xmalloc_fgetline(fp)) != NULL) {
		char *p = line;
		while ((word = strtok(p, " \t\r\f\v")) != NULL) {
			p = NULL;
			if (!pending) {
				pending = xstrdup(word);
			} else {
				unsigned a = node_of(pending);
				add_edge(a, node_of(word));
				free(pending);
				pending = NULL;
			}
		}
		free(line);
	}
	if (pending)
		bb_simple_error_msg_and_die("odd number of tokens");

	queue = xmalloc((nnodes + 1) * sizeof(*queue));
	for (;;) {
		for (i = 0; i < nnodes; i++)
			if (!nodes[i].done && nodes[i].indeg == 0) {
				nodes[i].done = 1;
				queue[tail++] = i;
			}
		if (head == tail) {
			/* all printed, or only cycles left: report one and break it at its first node */
			for (i = 0; i < nnodes && nodes[i].done; i++)
				continue;
			if (i == nnodes)
				break;
			bb_error_msg("-: input contains a loop:");
			status = EXIT_FAILURE;
			nodes[i].indeg = 0;
			continue;
		}
		while (head < tail) {
			struct node *n = &nodes[queue[head++]];
			unsigned k;
			puts(n->name);
			printed++;
			for (k = 0; k < n->nsucc; k++) {
				struct node *s = &nodes[n->succ[k]];
				if (--s->indeg == 0 && !s->done) {
					s->done = 1;
					queue[tail++] = n->succ[k];
				}
			}
		}
	}
	fflush_stdout_and_exit(status);
}
