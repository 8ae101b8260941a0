using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AccessLogCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Count",
                table: "access_log",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LastAt",
                table: "access_log",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Count",
                table: "access_log");

            migrationBuilder.DropColumn(
                name: "LastAt",
                table: "access_log");
        }
    }
}
