/*
 * mmio_uart.c - a very small emulated PL011 for the guest at EMU_UART_IPA.
 *
 * Nothing is mapped there at stage 2, so every guest access faults and
 * exits.c calls these functions with the decoded access.  Writes to UARTDR
 * are collected into lines and printed on the real console with a
 * "guest|" prefix; UARTFR always says "transmitter empty".  Everything
 * else reads as zero and ignores writes.
 */
#include "mmio_uart.h"
#include "exits.h"
#include "protocol.h"
#include "uart.h"

#define UARTDR     0x000
#define UARTFR     0x018
#define FR_RXFE    (1u << 4)
#define FR_TXFE    (1u << 7)

static char line[128];
static unsigned len;
static unsigned long chars, fr_reads;

static void flush_line(void)
{
	line[len] = 0;
	printk("  guest| %s\n", line);
	len = 0;
}

static uint64_t vuart_read(uint64_t offset, unsigned size)
{
	(void)size;
	if (offset == UARTFR) {
		fr_reads++;
		return FR_TXFE | FR_RXFE;
	}
	return 0;
}

static void vuart_write(uint64_t offset, unsigned size, uint64_t value)
{
	(void)size;
	if (offset != UARTDR)
		return;
	chars++;
	char c = (char)value;
	if (c == '\n')
		flush_line();
	else if (c != '\r') {
		line[len++] = c;
		if (len == sizeof(line) - 1)
			flush_line();
	}
}

static const struct mmio_device vuart = {
	.name = "emulated PL011",
	.base = EMU_UART_IPA,
	.size = EMU_UART_SIZE,
	.read = vuart_read,
	.write = vuart_write,
};

void vuart_init(void)
{
	mmio_register(&vuart);
}

unsigned long vuart_chars(void)
{
	return chars;
}

unsigned long vuart_fr_reads(void)
{
	return fr_reads;
}
