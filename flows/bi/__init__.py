"""What BI tools need to read the warehouse; imports nothing else from the project."""
