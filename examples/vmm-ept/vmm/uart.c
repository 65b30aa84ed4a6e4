/* uart.c - characters written to the THR register go to the console. */
#include "uart.h"
#include "console.h"
#include "../common/abi.h"

static char line[128], last[128];
static unsigned len;

void uart_write(u64 offset, u64 value, unsigned size)
{
	(void)size;
	if (offset != UART_THR)
		return; /* other registers: ignored */
	char c = (char)value;
	con_putc(c);
	if (c == '\n') {
		line[len] = 0;
		memcpy(last, line, len + 1);
		len = 0;
	} else if (len + 1 < sizeof(line)) {
		line[len++] = c;
	}
}

const char *uart_last_line(void) { return last; }
