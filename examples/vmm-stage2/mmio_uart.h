/* mmio_uart.h - the guest's emulated PL011 (trapped, never mapped). */
#ifndef MMIO_UART_H
#define MMIO_UART_H

void vuart_init(void);
unsigned long vuart_chars(void);     /* characters the guest wrote to UARTDR */
unsigned long vuart_fr_reads(void);  /* reads of UARTFR */

#endif
