#include <sys/capability.h>

#include "caps.h"

void caps_log(struct log *l)
{
	if (l->verbosity < V_DEBUG)
		return;
	cap_t caps = cap_get_proc();
	char *text = caps ? cap_to_text(caps, NULL) : NULL;
	if (text)
		log_event(l, V_DEBUG, "caps", "drainit's capabilities: %s", text);
	else
		log_event(l, V_DEBUG, "caps", "cannot read drainit's capabilities: %m");
	cap_free(text);
	cap_free(caps);
}
